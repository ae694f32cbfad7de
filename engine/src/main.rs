//! The `callduck` binary: all logic lives in the library; see [`callduck::cli`].

fn main() -> std::process::ExitCode {
    callduck::cli::main()
}
