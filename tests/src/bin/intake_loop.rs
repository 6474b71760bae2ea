//! Takes sample cases in, one after another, and prints each 办件编号 only after the store
//! returned: the clerk's "saved" moment. The crash test kills it at a random point.

use std::io::Write;

fn main() {
    let path = std::env::args().nth(1).expect("usage: intake_loop DB");
    let mut store = tongban_desk::demo::open(std::path::Path::new(&path)).expect("open");
    let mut out = std::io::stdout().lock();
    for i in 0.. {
        let form = tongban_desk::demo::sample_form(i);
        let (_, number) = store.create_case(&form, tongban_desk::demo::DEMO_CLERK, chrono::Utc::now()).expect("save");
        writeln!(out, "{number}").expect("stdout");
        out.flush().expect("stdout");
    }
}
