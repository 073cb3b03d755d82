define i32 @main() {
  call void asm sideeffect "this is not an instruction", ""()
  ret i32 0
}
