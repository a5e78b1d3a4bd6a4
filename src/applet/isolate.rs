use crate::sys::CStrList;
pub fn main(_args: CStrList, _env: CStrList) -> i32 { crate::out::say(b"isolate", &[b"not implemented yet"]); 1 }
