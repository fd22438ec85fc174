fn main() { trailview::mount() }
