@kiln_no_such_global = external global i32
define i32 @main() {
  %v = load i32, ptr @kiln_no_such_global
  ret i32 %v
}
