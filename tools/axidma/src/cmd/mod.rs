//! One module per subcommand.

mod bench;
mod copy;
mod info;
#[path = "loop.rs"]
mod looping;
mod prof;
mod recv;
mod send;
mod stream;

pub use bench::cmd_bench;
pub use copy::cmd_copy;
pub use info::cmd_info;
pub use looping::cmd_loop;
pub use prof::cmd_prof_load;
pub use recv::cmd_recv;
pub use send::cmd_send;
pub use stream::cmd_stream;
