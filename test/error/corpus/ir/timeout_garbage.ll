; RUN: --timeout abc NOBUILD
define i32 @main() {
  ret i32 0
}
