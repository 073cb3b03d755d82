; Inline assembly that does not assemble: LLVM printed the error and
; called exit(1) from inside code generation.
define i32 @main() {
  call void asm "bogus_instruction", ""()
  ret i32 0
}
