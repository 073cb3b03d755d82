; An AArch64 intrinsic in IR run and compiled for the host (x86-64):
; instruction selection used to abort ("LLVM ERROR: Cannot select").
declare i32 @llvm.aarch64.crc32b(i32, i32)

define i32 @main() {
  %r = call i32 @llvm.aarch64.crc32b(i32 0, i32 0)
  ret i32 %r
}
