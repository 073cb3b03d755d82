; A struct of two 2^62-byte arrays: each fits in 64 bits, their sum does not.
@g = global { [4611686018427387904 x i8], [4611686018427387904 x i8], [4611686018427387904 x i8], [4611686018427387904 x i8], i8 } zeroinitializer
define i32 @main() {
  ret i32 0
}
