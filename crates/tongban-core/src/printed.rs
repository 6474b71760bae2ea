//! The printed forms: which one, its name on paper and its stable name (in the prints table,
//! on the wire to the window, on the command line).

/// The printed forms: a case's two, and the day's ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    /// 收件登记表 (存档联、申请人联).
    #[cfg_attr(feature = "clap", value(help = "收件登记表（存档联、申请人联）"))]
    Receipt,
    /// 一次性告知书.
    #[cfg_attr(feature = "clap", value(help = "一次性告知书"))]
    Notice,
    /// 每日台账: of a day's cases, not of one (`tongban ledger` prints it, not `tongban print`).
    #[cfg_attr(feature = "clap", value(skip))]
    Ledger,
}

impl FormKind {
    pub const ALL: [FormKind; 3] = [FormKind::Receipt, FormKind::Notice, FormKind::Ledger];

    pub fn label(self) -> &'static str {
        match self {
            FormKind::Receipt => "收件登记表",
            FormKind::Notice => "一次性告知书",
            FormKind::Ledger => "每日台账",
        }
    }

    /// The stable name, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            FormKind::Receipt => "receipt",
            FormKind::Notice => "notice",
            FormKind::Ledger => "ledger",
        }
    }

    /// A form by its stable name or its label.
    pub fn parse(s: &str) -> Option<FormKind> {
        let s = s.trim();
        FormKind::ALL.into_iter().find(|f| f.as_str() == s || f.label() == s)
    }

    /// Whether the form is printed for one case (the ledger lists many).
    pub fn is_of_a_case(self) -> bool {
        self != FormKind::Ledger
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_serialises_as_its_stable_name_and_parses_back() {
        for form in FormKind::ALL {
            assert_eq!(serde_json::to_value(form).unwrap(), form.as_str());
            assert_eq!(FormKind::parse(form.as_str()), Some(form));
            assert_eq!(FormKind::parse(form.label()), Some(form));
        }
    }
}
