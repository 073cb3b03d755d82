define ptr @main() {
  ret ptr null
}
