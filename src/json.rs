//! A JSON scanner without a heap: a pull reader over the file's bytes
//! (RFC 8259). The caller walks the document it expects: `object` then
//! `key` until `None`, `array` then `item` until `false`, scalars with
//! `string`, `u64`, `bool`, `null`, and `skip` for whatever it does not
//! know. Strings are validated when read and decoded on use (`Str`), so
//! nothing is copied. Nesting is limited (`MAX_DEPTH`, an error beyond it,
//! no recursion anywhere), numbers are exact u64s (rlimits and seccomp
//! arguments use the whole range). Duplicate keys are the caller's: reading
//! an object in order and keeping the last value is what Go's
//! encoding/json does.
//!
//! A position (`Scanner::pos`) can be kept and a scanner started there
//! again (`Scanner::at`), so a reader can find its fields first and read
//! them in the order it needs.

/// What is wrong, and at which byte offset of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Error {
    pub what: &'static [u8],
    pub at: usize,
}

pub type Result<T> = core::result::Result<T, Error>;

/// Objects and arrays nested deeper than this are refused.
pub const MAX_DEPTH: u32 = 64;

/// The kind of the next value, from its first byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Object,
    Array,
    String,
    Number,
    Bool,
    Null,
}

/// A string's bytes between its quotes, escapes checked but not decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Str<'a> {
    raw: &'a [u8],
}

impl<'a> Str<'a> {
    /// The bytes as written in the file, escapes included.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The decoded bytes (UTF-8; a lone surrogate escape decodes to U+FFFD,
    /// as Go's decoder does).
    pub fn bytes(&self) -> Unescape<'a> {
        Unescape { raw: self.raw, pos: 0, pending: [0; 4], pending_len: 0, pending_at: 0 }
    }

    /// Whether the decoded string is `plain`.
    pub fn is(&self, plain: &[u8]) -> bool {
        if !self.raw.contains(&b'\\') {
            return self.raw == plain;
        }
        self.bytes().eq(plain.iter().copied())
    }

    /// The decoded string in `buf`, or `None` if it does not fit.
    pub fn decode<'b>(&self, buf: &'b mut [u8]) -> Option<&'b [u8]> {
        let mut len = 0;
        for b in self.bytes() {
            *buf.get_mut(len)? = b;
            len += 1;
        }
        Some(&buf[..len])
    }
}

/// The decoded bytes of a `Str`.
pub struct Unescape<'a> {
    raw: &'a [u8],
    pos: usize,
    pending: [u8; 4],
    pending_len: u8,
    pending_at: u8,
}

fn hex4(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |n, &d| n << 4 | (d as char).to_digit(16).unwrap_or(0))
}

impl Iterator for Unescape<'_> {
    type Item = u8;

    fn next(&mut self) -> Option<u8> {
        if self.pending_at < self.pending_len {
            self.pending_at += 1;
            return Some(self.pending[self.pending_at as usize - 1]);
        }
        let b = *self.raw.get(self.pos)?;
        if b != b'\\' {
            self.pos += 1;
            return Some(b);
        }
        // The scanner checked every escape: two bytes, or six for \u.
        let e = self.raw[self.pos + 1];
        self.pos += 2;
        let simple = match e {
            b'b' => 8,
            b'f' => 12,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => 0,
            other => other,
        };
        if e != b'u' {
            return Some(simple);
        }
        let mut c = hex4(&self.raw[self.pos..self.pos + 4]);
        self.pos += 4;
        if (0xd800..0xdc00).contains(&c) {
            let rest = &self.raw[self.pos..];
            let low = if rest.len() >= 6 && rest.starts_with(b"\\u") { hex4(&rest[2..6]) } else { 0 };
            if (0xdc00..0xe000).contains(&low) {
                c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
                self.pos += 6;
            }
        }
        let c = char::from_u32(c).unwrap_or('\u{fffd}');
        let len = c.encode_utf8(&mut self.pending).len();
        self.pending_len = len as u8;
        self.pending_at = 1;
        Some(self.pending[0])
    }
}

/// A reader of one JSON text.
pub struct Scanner<'a> {
    src: &'a [u8],
    pos: usize,
    depth: u32,
    /// One bit per open container, the innermost lowest: 1 for an object.
    objects: u64,
    /// Whether the innermost container has had no element yet.
    fresh: bool,
}

const EXPECTED_VALUE: &[u8] = b"expected a value";

impl<'a> Scanner<'a> {
    pub fn new(src: &'a [u8]) -> Scanner<'a> {
        Scanner::at(src, 0)
    }

    /// A scanner that reads the value at `pos` (from an earlier `pos()`).
    pub fn at(src: &'a [u8], pos: usize) -> Scanner<'a> {
        Scanner { src, pos, depth: 0, objects: 0, fresh: false }
    }

    /// The offset of the next byte to read.
    pub fn pos(&self) -> usize {
        self.pos
    }

    fn error<T>(&self, what: &'static [u8]) -> Result<T> {
        Err(Error { what, at: self.pos })
    }

    fn skip_space(&mut self) -> Option<u8> {
        while let Some(&b) = self.src.get(self.pos) {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// The kind of the next value (nothing is consumed but white space).
    pub fn peek(&mut self) -> Result<Kind> {
        Ok(match self.skip_space() {
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            Some(b'"') => Kind::String,
            Some(b'-' | b'0'..=b'9') => Kind::Number,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'n') => Kind::Null,
            _ => return self.error(EXPECTED_VALUE),
        })
    }

    fn open(&mut self, bracket: u8, object: bool, what: &'static [u8]) -> Result<()> {
        if self.skip_space() != Some(bracket) {
            return self.error(what);
        }
        if self.depth >= MAX_DEPTH {
            return self.error(b"nesting too deep");
        }
        self.pos += 1;
        self.depth += 1;
        self.objects = self.objects << 1 | object as u64;
        self.fresh = true;
        Ok(())
    }

    /// Reads the `{` of an object; then `key` until `None`.
    pub fn object(&mut self) -> Result<()> {
        self.open(b'{', true, b"expected an object")
    }

    /// Reads the `[` of an array; then `item` until `false`.
    pub fn array(&mut self) -> Result<()> {
        self.open(b'[', false, b"expected an array")
    }

    /// Steps to the next element of the innermost container: `false` (and
    /// the container closed) at its end.
    fn next_element(&mut self, close: u8, what: &'static [u8]) -> Result<bool> {
        let b = self.skip_space();
        if b == Some(close) {
            self.pos += 1;
            self.depth -= 1;
            self.objects >>= 1;
            self.fresh = false;
            return Ok(false);
        }
        if !self.fresh {
            if b != Some(b',') {
                return self.error(what);
            }
            self.pos += 1;
        }
        self.fresh = false;
        Ok(true)
    }

    fn in_object(&self) -> bool {
        self.depth > 0 && self.objects & 1 == 1
    }

    /// The next key of the object being read (its `:` consumed, its value
    /// next), or `None` at the object's end.
    pub fn key(&mut self) -> Result<Option<Str<'a>>> {
        if !self.in_object() {
            return self.error(b"not in an object");
        }
        if !self.next_element(b'}', b"expected ',' or '}'")? {
            return Ok(None);
        }
        if self.skip_space() != Some(b'"') {
            return self.error(b"expected a key");
        }
        let key = self.string()?;
        if self.skip_space() != Some(b':') {
            return self.error(b"expected ':'");
        }
        self.pos += 1;
        Ok(Some(key))
    }

    /// Whether the array being read has another element (then read it).
    pub fn item(&mut self) -> Result<bool> {
        if self.depth == 0 || self.in_object() {
            return self.error(b"not in an array");
        }
        self.next_element(b']', b"expected ',' or ']'")
    }

    /// Reads a string.
    pub fn string(&mut self) -> Result<Str<'a>> {
        if self.skip_space() != Some(b'"') {
            return self.error(b"expected a string");
        }
        let start = self.pos + 1;
        let mut i = start;
        loop {
            let Some(&b) = self.src.get(i) else {
                return self.error(b"unterminated string");
            };
            match b {
                b'"' => break,
                0..=0x1f => {
                    self.pos = i;
                    return self.error(b"control character in a string");
                }
                b'\\' => {
                    let good = match self.src.get(i + 1) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => 2,
                        Some(b'u') => match self.src.get(i + 2..i + 6) {
                            Some(h) if h.iter().all(u8::is_ascii_hexdigit) => 6,
                            _ => 0,
                        },
                        _ => 0,
                    };
                    if good == 0 {
                        self.pos = i;
                        return self.error(b"bad escape in a string");
                    }
                    i += good;
                }
                _ => i += 1,
            }
        }
        self.pos = i + 1;
        Ok(Str { raw: &self.src[start..i] })
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.src.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// Reads a number of any form, as written.
    pub fn number(&mut self) -> Result<&'a [u8]> {
        self.skip_space();
        let start = self.pos;
        if self.src.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        let int = self.digits();
        let mut good = int > 0 && !(int > 1 && self.src[int_start] == b'0');
        if good && self.src.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            good = self.digits() > 0;
        }
        if good && matches!(self.src.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.src.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            good = self.digits() > 0;
        }
        if !good {
            self.pos = start;
            return self.error(b"bad number");
        }
        Ok(&self.src[start..self.pos])
    }

    /// Reads a whole number from 0 to 2^64-1 (no sign, fraction or
    /// exponent, as Go's decoder into a uint64).
    pub fn u64(&mut self) -> Result<u64> {
        self.skip_space();
        let start = self.pos;
        let text = self.number()?;
        let mut n: u64 = 0;
        for &d in text {
            let digit = d.wrapping_sub(b'0');
            let next = n.checked_mul(10).and_then(|n| n.checked_add(digit as u64));
            match next {
                Some(next) if digit < 10 => n = next,
                _ => {
                    self.pos = start;
                    return self.error(b"expected a whole number from 0 to 18446744073709551615");
                }
            }
        }
        Ok(n)
    }

    fn word(&mut self, word: &[u8]) -> bool {
        let found = self.src[self.pos..].starts_with(word);
        if found {
            self.pos += word.len();
        }
        found
    }

    /// Reads `true` or `false`.
    pub fn bool(&mut self) -> Result<bool> {
        self.skip_space();
        if self.word(b"true") {
            Ok(true)
        } else if self.word(b"false") {
            Ok(false)
        } else {
            self.error(b"expected true or false")
        }
    }

    /// Reads `null` if it is next: whether it was.
    pub fn null(&mut self) -> Result<bool> {
        self.skip_space();
        if self.src[self.pos..].starts_with(b"n") {
            if self.word(b"null") {
                return Ok(true);
            }
            return self.error(EXPECTED_VALUE);
        }
        Ok(false)
    }

    /// Reads the next value, whatever it is, checking its syntax.
    pub fn skip(&mut self) -> Result<()> {
        let base = self.depth;
        loop {
            match self.peek()? {
                Kind::Object => self.object()?,
                Kind::Array => self.array()?,
                Kind::String => {
                    self.string()?;
                }
                Kind::Number => {
                    self.number()?;
                }
                Kind::Bool => {
                    self.bool()?;
                }
                Kind::Null => {
                    self.null()?;
                }
            }
            // To the next value to read, closing what ends on the way.
            loop {
                if self.depth == base {
                    return Ok(());
                }
                let more = if self.in_object() { self.key()?.is_some() } else { self.item()? };
                if more {
                    break;
                }
            }
        }
    }

    /// Checks that nothing but white space follows.
    pub fn end(&mut self) -> Result<()> {
        match self.skip_space() {
            None => Ok(()),
            Some(_) => self.error(b"unexpected data after the end"),
        }
    }
}

/// `text` as the inside of a JSON string, in parts to `out`: `"` and `\\`
/// escaped, control characters as `\\u00XX` (RFC 8259, section 7).
#[cfg(any(test, feature = "oci"))]
pub fn escape(text: &[u8], out: &mut dyn FnMut(&[u8])) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 0;
    for (i, &b) in text.iter().enumerate() {
        let escaped: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\t' => b"\\t",
            0..=0x1f => &[b'\\', b'u', b'0', b'0', HEX[(b >> 4) as usize], HEX[(b & 15) as usize]],
            _ => continue,
        };
        out(&text[start..i]);
        out(escaped);
        start = i + 1;
    }
    out(&text[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_strings_read_back() {
        let mut out = Vec::new();
        escape(b"a\"b\\c\n\x01\x7f\xc3\xa9", &mut |p| out.extend_from_slice(p));
        assert_eq!(out, b"a\\\"b\\\\c\\n\\u0001\x7f\xc3\xa9");
        let mut quoted = b"\"".to_vec();
        quoted.extend_from_slice(&out);
        quoted.push(b'"');
        let back = Scanner::new(&quoted).string().unwrap();
        assert_eq!(back.bytes().collect::<Vec<u8>>(), b"a\"b\\c\n\x01\x7f\xc3\xa9");
    }

    /// A whole document read back as a compact string, through every
    /// method: the model of what the scanner accepts.
    fn walk(src: &[u8]) -> core::result::Result<String, (String, usize)> {
        let mut s = Scanner::new(src);
        let mut out = String::new();
        let r = (|| -> Result<()> {
            walk_value(&mut s, &mut out)?;
            s.end()
        })();
        r.map(|_| out).map_err(|e| (String::from_utf8_lossy(e.what).into_owned(), e.at))
    }

    fn walk_value(s: &mut Scanner, out: &mut String) -> Result<()> {
        match s.peek()? {
            Kind::Object => {
                s.object()?;
                out.push('{');
                while let Some(k) = s.key()? {
                    out.push_str(&String::from_utf8(k.bytes().collect()).unwrap());
                    out.push(':');
                    walk_value(s, out)?;
                    out.push(',');
                }
                out.push('}');
            }
            Kind::Array => {
                s.array()?;
                out.push('[');
                while s.item()? {
                    walk_value(s, out)?;
                    out.push(',');
                }
                out.push(']');
            }
            Kind::String => out.push_str(&String::from_utf8(s.string()?.bytes().collect()).unwrap()),
            Kind::Number => out.push_str(core::str::from_utf8(s.number()?).unwrap()),
            Kind::Bool => out.push_str(if s.bool()? { "T" } else { "F" }),
            Kind::Null => out.push_str(if s.null()? { "N" } else { "?" }),
        }
        Ok(())
    }

    #[test]
    fn documents_are_read_whole() {
        assert_eq!(
            walk(b" {\"a\" : [1, -2.5e+3, true, false, null], \"b\":{}} ").unwrap(),
            "{a:[1,-2.5e+3,T,F,N,],b:{},}"
        );
        assert_eq!(walk(b"[]").unwrap(), "[]");
        assert_eq!(walk(b"[[],[[]]]").unwrap(), "[[],[[],],]");
        assert_eq!(walk(b"\"x\"").unwrap(), "x");
        assert_eq!(walk(b"0").unwrap(), "0");
    }

    #[test]
    fn syntax_errors_name_the_fault_and_the_byte() {
        let cases: &[(&[u8], &str, usize)] = &[
            (b"", "expected a value", 0),
            (b"[1,]", "expected a value", 3),
            (b"[1 2]", "expected ',' or ']'", 3),
            (b"{\"a\" 1}", "expected ':'", 5),
            (b"{\"a\":1,}", "expected a key", 7),
            (b"{\"a\":1 \"b\":2}", "expected ',' or '}'", 7),
            (b"{1:2}", "expected a key", 1),
            (b"[1}", "expected ',' or ']'", 2),
            (b"{\"a\":1]", "expected ',' or '}'", 6),
            (b"\"abc", "unterminated string", 0),
            (b"\"a\nb\"", "control character in a string", 2),
            (b"\"\\x\"", "bad escape in a string", 1),
            (b"\"\\u12g4\"", "bad escape in a string", 1),
            (b"01", "bad number", 0),
            (b"-", "bad number", 0),
            (b"1.", "bad number", 0),
            (b"1e", "bad number", 0),
            (b"tru", "expected true or false", 0),
            (b"nul", "expected a value", 0),
            (b"[1] x", "unexpected data after the end", 4),
            (b"[", "expected a value", 1),
        ];
        for &(src, what, at) in cases {
            assert_eq!(walk(src), Err((what.to_string(), at)), "{}", String::from_utf8_lossy(src));
        }
    }

    #[test]
    fn nesting_is_limited_without_recursion() {
        let deep = |n: usize| [&b"["[..].repeat(n)[..], &b"]"[..].repeat(n)[..]].concat();
        assert_eq!(Scanner::new(&deep(64)).skip(), Ok(()));
        assert_eq!(Scanner::new(&deep(65)).skip(), Err(Error { what: b"nesting too deep", at: 64 }));
        let huge = b"[".repeat(1_000_000);
        assert_eq!(Scanner::new(&huge).skip().unwrap_err().what, b"nesting too deep");
    }

    #[test]
    fn skip_checks_what_it_skips_and_stops_after_the_value() {
        let src = b"{\"a\": {\"x\": [1, {\"y\": \"]}\"}], \"z\": null}, \"b\": 7}";
        let mut s = Scanner::new(src);
        s.object().unwrap();
        assert!(s.key().unwrap().unwrap().is(b"a"));
        s.skip().unwrap();
        assert!(s.key().unwrap().unwrap().is(b"b"));
        assert_eq!(s.u64(), Ok(7));
        assert_eq!(s.key(), Ok(None));
        s.end().unwrap();
        assert_eq!(Scanner::new(b"[1, 2,]").skip().unwrap_err().what, EXPECTED_VALUE);
        assert_eq!(Scanner::new(b"{\"a\" 1}").skip().unwrap_err().what, b"expected ':'");
    }

    #[test]
    fn numbers_to_u64_use_the_whole_range() {
        let n = |src: &[u8]| Scanner::new(src).u64().map_err(|e| e.at);
        assert_eq!(n(b"0"), Ok(0));
        assert_eq!(n(b" 4294967296"), Ok(1 << 32));
        assert_eq!(n(b"18446744073709551615"), Ok(u64::MAX));
        assert_eq!(n(b"18446744073709551616"), Err(0));
        assert_eq!(n(b"-1"), Err(0));
        assert_eq!(n(b"1.0"), Err(0));
        assert_eq!(n(b"1e3"), Err(0));
        assert_eq!(n(b"x"), Err(0));
    }

    #[test]
    fn strings_decode_every_escape() {
        let s = |src: &[u8]| -> Vec<u8> { Scanner::new(src).string().unwrap().bytes().collect() };
        assert_eq!(s(br#""a\"\\\/\b\f\n\r\t""#), b"a\"\\/\x08\x0c\n\r\t");
        assert_eq!(s(br#""\u0041\u00e9\u20ac""#), "Aé€".as_bytes());
        assert_eq!(s(br#""\ud83d\ude00""#), "😀".as_bytes());
        assert_eq!(s(br#""\ud83dx""#), "\u{fffd}x".as_bytes());
        assert_eq!(s(br#""\ude00""#), "\u{fffd}".as_bytes());
        let str = Scanner::new(br#""SCMP\u005fACT""#).string().unwrap();
        assert!(str.is(b"SCMP_ACT"));
        assert!(!str.is(b"SCMP_AC"));
        assert_eq!(str.raw(), br"SCMP\u005fACT");
        let mut buf = [0; 8];
        assert_eq!(str.decode(&mut buf), Some(&b"SCMP_ACT"[..]));
        assert_eq!(str.decode(&mut buf[..7]), None);
    }

    #[test]
    fn a_kept_position_reads_again() {
        let src = b"{\"late\": [3], \"early\": 1}";
        let mut s = Scanner::new(src);
        s.object().unwrap();
        s.key().unwrap();
        let late = s.pos();
        s.skip().unwrap();
        s.key().unwrap();
        assert_eq!(s.u64(), Ok(1));
        let mut again = Scanner::at(src, late);
        again.array().unwrap();
        assert!(again.item().unwrap());
        assert_eq!(again.u64(), Ok(3));
        assert!(!again.item().unwrap());
    }

    #[test]
    fn keys_and_items_only_inside_their_container() {
        let mut s = Scanner::new(b"[1]");
        assert_eq!(s.key().unwrap_err().what, b"not in an object");
        let mut s = Scanner::new(b"{}");
        assert_eq!(s.item().unwrap_err().what, b"not in an array");
    }
}
