@g = global i32 0
define void @main() {
  store i32 1, ptr @g
  ret void
}
