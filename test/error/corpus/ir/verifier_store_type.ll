define i32 @main() {
  %p = alloca i32
  store i32 1, i64 %p
  ret i32 0
}
