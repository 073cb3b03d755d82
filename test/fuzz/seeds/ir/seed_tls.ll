@t = thread_local global i32 5
define i64 @main() {
  %v = load i32, ptr @t
  %w = sext i32 %v to i64
  ret i64 %w
}
