define i32 @main() {
  %x = add i32 99999999999999999999999999999, 0
  ret i32 0
}
