define i32 @main(double %a, ptr %b) {
  ret i32 0
}
