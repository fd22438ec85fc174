fn main() {
    trailview::mount()
}
