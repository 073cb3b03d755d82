define i33x @main() {
  ret i32 0
}
