define double @main(double %x) {
  ret double %x
}
