define i32 @main() {
entry:
  br label %next
next:
  %x = add i32 1, 1
  %p = phi i32 [ 0, %entry ]
  ret i32 %p
}
