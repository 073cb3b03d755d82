declare i32 @f(i32)
define i32 @main() {
  %r = call i32 @f(i64 1)
  ret i32 %r
}
