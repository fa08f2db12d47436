//! What a connection may cost before the server drops it: one value per `serve` flag, handed
//! down to the head reader, the decoder and each loop. The type and its defaults are the
//! library's (`wsinspect::cli::Limits`), beside the `serve` flags that set them, so `serve
//! --help` shows the same defaults wherever the command line is parsed.

pub use wsinspect::cli::Limits;
