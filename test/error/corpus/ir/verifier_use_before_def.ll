define i32 @main() {
entry:
  %b = add i32 %a, 1
  %a = add i32 1, 2
  ret i32 %b
}
