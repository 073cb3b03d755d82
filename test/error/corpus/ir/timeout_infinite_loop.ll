; RUN: --timeout 0.2 NOBUILD
define i32 @main() {
entry:
  br label %loop
loop:
  br label %loop
}
