//! `provider::r53::txt_value(text)`.

use r53_plugin::{Function, FunctionError, Param, Signature, Type, Value};

use super::text_arg;

pub(crate) struct TxtValue;

impl Function for TxtValue {
    fn name(&self) -> &'static str {
        "txt_value"
    }

    fn signature(&self) -> Signature {
        Signature {
            params: vec![Param::new("text", Type::String, "The logical text.")],
            returns: Type::String,
            summary: "Text as a Route 53 TXT value: quoted strings of at most 255 bytes.",
            description: "Returns the text as Route 53 writes a TXT value: split as `txt_strings` splits it, each \
                string in double quotes with `\"` and `\\` escaped and bytes outside printable ASCII as `\\ooo` \
                octal escapes, separated by spaces — e.g. `\"v=DKIM1; p=MIIB…\" \"…IDAQAB\"`. The text is always \
                quoted, even when it already looks quoted. For tools that take Route 53's raw form; `r53_record` \
                accepts the plain text.",
        }
    }

    fn call(&self, args: &[Value]) -> Result<Value, FunctionError> {
        let text = text_arg(args, 0)?;
        let quoted: Vec<String> = r53_zone::rdata::text_strings(text)
            .into_iter()
            .map(|p| r53_zone::rdata::quote_route53(p.as_bytes()))
            .collect();
        Ok(Value::string(quoted.join(" ")))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{call, s};
    use super::*;

    fn q(t: &str) -> String {
        call(&TxtValue, &[s(t)])
            .unwrap()
            .as_str()
            .unwrap()
            .to_string()
    }

    #[test]
    fn quoted_escaped_and_split() {
        assert_eq!(q("v=spf1 -all"), "\"v=spf1 -all\"");
        assert_eq!(q("say \"hi\" \\ ok"), "\"say \\\"hi\\\" \\\\ ok\"");
        assert_eq!(q("é"), "\"\\303\\251\"");
        assert_eq!(q("\"already\""), "\"\\\"already\\\"\"");
        let long = "k".repeat(300);
        assert_eq!(
            q(&long),
            format!("\"{}\" \"{}\"", "k".repeat(255), "k".repeat(45))
        );
        // What Route 53 reads back is the same text.
        let back = r53_zone::rdata::parse_character_strings(&q(&long)).unwrap();
        assert_eq!(back.concat(), long);
    }
}
