; FLAGS: -O9
define i32 @main() {
  ret i32 0
}
