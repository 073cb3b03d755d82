define i32 @main(i32 %argc, ptr %argv, ptr %envp) {
entry:
  %x = add i32 %argc, 1
  ret i32 %x
}
