define i32 @main() {
  frobnicate i32 0
  ret i32 0
}
