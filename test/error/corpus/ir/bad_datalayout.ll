target datalayout = "this is not a layout"
define i32 @main() {
  ret i32 0
}
