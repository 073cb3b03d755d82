define i32 @main(i32 %a, ptr %b, ptr %c, i32 %d) {
  ret i32 0
}
