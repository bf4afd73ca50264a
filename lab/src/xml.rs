//! Just enough XML for the lab: parse Route 53 requests/responses into a small element tree.

use quick_xml::events::Event;
use quick_xml::Reader;

#[derive(Debug, Clone, Default)]
pub struct Element {
    name: String,
    text: String,
    children: Vec<Element>,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }
    /// Text of the descendant at `path` (e.g. ["ChangeBatch", "Comment"]).
    pub fn text_at(&self, path: &[&str]) -> Option<&str> {
        let mut cur = self;
        for p in path {
            cur = cur.child(p)?;
        }
        Some(cur.text.as_str())
    }
    /// All descendants (depth first) with this name.
    pub fn find_all<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.find_all(name, out);
        }
    }
}

pub fn parse(xml: &[u8]) -> anyhow::Result<Element> {
    let mut r = Reader::from_reader(xml);
    // No trim_text: it would drop the blank between two `&quot;` references inside a TXT value.
    // Whitespace around elements is removed when an element closes instead.
    let mut stack: Vec<Element> = vec![Element::default()];
    let mut buf = Vec::new();
    loop {
        match r.read_event_into(&mut buf)? {
            Event::Start(e) => stack.push(Element {
                name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                ..Default::default()
            }),
            Event::Empty(e) => {
                let el = Element {
                    name: String::from_utf8_lossy(e.local_name().as_ref()).into_owned(),
                    ..Default::default()
                };
                stack.last_mut().expect("stack").children.push(el);
            }
            Event::Text(t) => {
                let s = t.decode()?.into_owned();
                let s = quick_xml::escape::unescape(&s)
                    .map(|c| c.into_owned())
                    .unwrap_or(s);
                stack.last_mut().expect("stack").text.push_str(&s);
            }
            Event::GeneralRef(g) => {
                let name = String::from_utf8_lossy(&g).into_owned();
                let ch = match name.as_str() {
                    "amp" => "&".to_string(),
                    "lt" => "<".to_string(),
                    "gt" => ">".to_string(),
                    "quot" => "\"".to_string(),
                    "apos" => "'".to_string(),
                    n if n.starts_with("#x") => u32::from_str_radix(&n[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                        .map(String::from)
                        .unwrap_or_default(),
                    n if n.starts_with('#') => n[1..]
                        .parse()
                        .ok()
                        .and_then(char::from_u32)
                        .map(String::from)
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                stack.last_mut().expect("stack").text.push_str(&ch);
            }
            Event::CData(t) => stack
                .last_mut()
                .expect("stack")
                .text
                .push_str(&String::from_utf8_lossy(&t)),
            Event::End(_) => {
                let mut el = stack.pop().expect("stack");
                el.text = if el.children.is_empty() {
                    el.text.trim().to_string()
                } else {
                    String::new()
                };
                stack
                    .last_mut()
                    .ok_or_else(|| anyhow::anyhow!("unbalanced XML"))?
                    .children
                    .push(el);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    let mut root = stack.pop().ok_or_else(|| anyhow::anyhow!("empty XML"))?;
    root.children
        .pop()
        .ok_or_else(|| anyhow::anyhow!("no root element"))
}

pub(crate) fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_nested_text_with_entities() {
        let x = br#"<?xml version="1.0"?>
<A xmlns="x">
  <B><C>one &amp; two</C><C>&quot;q&quot;</C><C>&quot;a&quot; &quot;b&quot;</C></B>
  <D/>
</A>"#;
        let e = super::parse(x).unwrap();
        assert_eq!(e.name, "A");
        let cs: Vec<_> = e
            .child("B")
            .unwrap()
            .children_named("C")
            .map(|c| c.text.clone())
            .collect();
        assert_eq!(cs, vec!["one & two", "\"q\"", "\"a\" \"b\""]);
        assert!(e.child("D").is_some());
    }
}
