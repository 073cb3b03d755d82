declare i32 @kiln_no_such_function(i32)
define i32 @main() {
  %r = call i32 @kiln_no_such_function(i32 1)
  ret i32 %r
}
