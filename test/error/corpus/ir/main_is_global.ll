@main = global i32 42
