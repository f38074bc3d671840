//! The `sumoq` binary: everything lives in the library.

fn main() {
    std::process::exit(sumoq::cli::main());
}
