define i32 @main() {
  %a = add i32 1, 2
  %a = add i32 1, 2
  ret i32 %a
}
