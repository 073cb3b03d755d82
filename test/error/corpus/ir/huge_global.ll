; A global of 2^62 i64s (2^65 bytes): DataLayout's size wrapped to 0 and the JIT code read past it.
@g = global [4611686018427387904 x i64] zeroinitializer
@ok = global [1024 x i64] zeroinitializer
define i32 @main() {
  %p = getelementptr [4611686018427387904 x i64], ptr @g, i64 0, i64 1099511627776
  store i64 1, ptr %p
  ret i32 0
}
