define i32 @main() {
entry:
  %a = add i32 1, 2
}
