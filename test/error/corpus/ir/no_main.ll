define i32 @helper() {
  ret i32 0
}
