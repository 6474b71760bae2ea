//! The catalog as JSON: `serde_json` of [`Catalog`], pretty-printed on write.

use tongban_core::catalog::{Catalog, CatalogProblem, Locus};

use crate::error::{CatalogFileError, FileProblem};
use crate::{Imported, ReadOptions};

pub(crate) fn read(bytes: &[u8], opts: &ReadOptions) -> Result<Imported, CatalogFileError> {
    if bytes.is_empty() {
        return Err(CatalogFileError::Unreadable { message: "文件是空的（0 字节）".to_string() });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let catalog: Catalog = serde_json::from_slice(bytes)
        .map_err(|e| CatalogFileError::Invalid { problems: vec![FileProblem::new(syntax_message(&e))] })?;
    let mut problems = Vec::new();
    let field = |name: &str| Some(name.to_string());
    if let Some(want) = opts.region.as_deref().map(str::trim) {
        if want != catalog.region.trim() {
            problems.push(
                FileProblem::new(format!("文件中的地区代码为「{}」，与指定的「{want}」不一致", catalog.region))
                    .at_column(field("地区代码（region）")),
            );
        }
    }
    if let Some(want) = opts.version.as_deref().map(str::trim) {
        if want != catalog.version.trim() {
            problems.push(
                FileProblem::new(format!("文件中的版本为「{}」，与指定的「{want}」不一致", catalog.version))
                    .at_column(field("版本（version）")),
            );
        }
    }
    problems.extend(catalog.problems().iter().map(|p| locate(&catalog, p)));
    if problems.is_empty() {
        Ok(Imported { catalog, warnings: Vec::new() })
    } else {
        Err(CatalogFileError::Invalid { problems })
    }
}

pub(crate) fn write(catalog: &Catalog) -> Result<Vec<u8>, CatalogFileError> {
    let mut out = serde_json::to_vec_pretty(catalog)
        .map_err(|e| CatalogFileError::NotRepresentable { message: format!("无法写成 JSON：{e}") })?;
    out.push(b'\n');
    Ok(out)
}

/// `第4个事项（编码 X）第2项材料 份数` for `items[3].materials[1].copies`.
fn locate(catalog: &Catalog, p: &CatalogProblem) -> FileProblem {
    let item = |i: usize| {
        let code = catalog.items.get(i).map(|it| it.code.as_str()).unwrap_or("");
        format!("第{}个事项（编码 {code}）", i + 1)
    };
    let column = match p.locus {
        Locus::Catalog => match p.field {
            "region" => "地区代码（region）".to_string(),
            "version" => "版本（version）".to_string(),
            other => other.to_string(),
        },
        Locus::Item { item: i } => format!("{}{}", item(i), field_label(p.field)),
        Locus::Material { item: i, material } => {
            format!("{}第{}项材料 {}", item(i), material + 1, material_label(p.field))
        }
        Locus::Bundle { bundle } => {
            let code = catalog.bundles.get(bundle).map(|b| b.code.as_str()).unwrap_or("");
            format!("第{}个一件事（编码 {code}）{}", bundle + 1, bundle_label(p.field))
        }
        Locus::Contact { contact } => {
            let name = catalog.contacts.get(contact).map(|c| c.name.as_str()).unwrap_or("");
            format!("第{}个联络人（{name}）{}", contact + 1, contact_label(p.field))
        }
    };
    FileProblem::new(p.message.clone()).at_column(Some(column))
}

fn field_label(field: &str) -> &str {
    match field {
        "code" => "事项编码",
        "implementation_code" => "实施编码",
        "name" => "事项名称",
        "domain" => "领域",
        "department" => "办理部门",
        "mode" => "办理模式",
        "legal_days" => "法定时限",
        "promised_days" => "承诺时限",
        "fee" => "收费",
        "fee_basis" => "收费依据",
        "accepted_by" => "受理机构",
        "decided_by" => "决定机构",
        "delivery" => "送达方式",
        "materials" => "申请材料",
        other => other,
    }
}

fn material_label(field: &str) -> &str {
    match field {
        "name" => "材料名称",
        "form" => "材料形式",
        "copies" => "份数",
        "condition" => "适用条件",
        "standard" => "材料标准",
        "e_license" => "可用电子证照",
        other => other,
    }
}

fn bundle_label(field: &str) -> &str {
    match field {
        "code" => "一件事编码",
        "name" => "一件事名称",
        "lead_department" => "牵头部门",
        "promised_days" => "承诺时限",
        "items" => "包含事项",
        other => other,
    }
}

fn contact_label(field: &str) -> &str {
    match field {
        "item" => "事项编码",
        "name" => "姓名",
        "unit" => "单位",
        "phone" => "电话",
        "hours" => "联系时间",
        other => other,
    }
}

/// `JSON 格式错误（第3行第5列）：…`, serde's message put into Chinese where it is one we know.
fn syntax_message(e: &serde_json::Error) -> String {
    let raw = e.to_string();
    // serde_json appends " at line L column C"; the position is given in front instead.
    let message = match raw.rfind(" at line ") {
        Some(i) => &raw[..i],
        None => raw.as_str(),
    };
    format!("JSON 格式错误（第{}行第{}列）：{}", e.line(), e.column(), chinese(message))
}

fn chinese(m: &str) -> String {
    let fixed: &[(&str, &str)] = &[
        ("EOF while parsing a value", "文件在此处意外结束（缺少值）"),
        ("EOF while parsing a list", "文件在此处意外结束（列表 [ ] 没有闭合）"),
        ("EOF while parsing an object", "文件在此处意外结束（对象 { } 没有闭合）"),
        ("EOF while parsing a string", "文件在此处意外结束（字符串缺少结尾的引号）"),
        ("expected value", "此处应为一个值"),
        ("expected `,` or `]`", "此处应为「,」或「]」"),
        ("expected `,` or `}`", "此处应为「,」或「}」"),
        ("expected `:`", "此处应为「:」"),
        ("expected ident", "此处应为 true、false 或 null"),
        ("trailing comma", "多了一个逗号"),
        ("trailing characters", "JSON 结束后还有多余的内容"),
        ("key must be a string", "对象的键必须是带引号的字符串"),
        ("invalid escape", "字符串中有无效的转义（\\）"),
        ("invalid number", "数字格式不正确"),
        ("number out of range", "数字超出范围"),
        ("invalid unicode code point", "字符串中有无效的 Unicode 字符"),
        ("control character (\\u0000-\\u001F) found while parsing a string", "字符串中有控制字符（如未转义的换行）"),
        ("recursion limit exceeded", "嵌套层数过多"),
        ("invalid type: null, expected a string", "此处应为字符串，实际为 null"),
    ];
    if let Some((_, zh)) = fixed.iter().find(|(en, _)| *en == m) {
        return zh.to_string();
    }
    let quote = |s: &str| format!("「{}」", s.trim().trim_matches('`'));
    if m.starts_with("data did not match any variant of untagged enum Stored") {
        return "收费（fee）应为文字（如「工本费20元」「不收费」），或 {\"kind\": \"free\"} 之类的结构".to_string();
    }
    if let Some(field) = m.strip_prefix("missing field ") {
        return format!("缺少字段{}", quote(field));
    }
    if let Some(rest) = m.strip_prefix("invalid type: ").or_else(|| m.strip_prefix("invalid value: ")) {
        if let Some((got, want)) = rest.split_once(", expected ") {
            return format!("类型不对：应为{}，实际为{}", expected(want), got_value(got));
        }
    }
    if let Some(rest) = m.strip_prefix("unknown variant ") {
        if let Some((got, want)) = rest.split_once(", expected ") {
            let want = want.trim_start_matches("one of ").split(", ").map(quote).collect::<Vec<_>>().join("");
            return format!("取值{}不认识，应为{want}之一", quote(got));
        }
    }
    if let Some(rest) = m.strip_prefix("invalid length ") {
        return format!("长度不对：{rest}");
    }
    m.to_string()
}

fn expected(want: &str) -> String {
    match want {
        "u32" | "u64" | "usize" => "不小于0的整数".to_string(),
        "a string" => "字符串".to_string(),
        "a sequence" => "列表 [ ]".to_string(),
        "a boolean" => "true 或 false".to_string(),
        other if other.starts_with("struct ") || other == "a map" => "对象 { }".to_string(),
        other => other.to_string(),
    }
}

fn got_value(got: &str) -> String {
    let inner = |s: &str| s.trim_matches(|c| c == '`' || c == '"').to_string();
    if let Some(v) = got.strip_prefix("string ") {
        format!("字符串「{}」", inner(v))
    } else if let Some(v) = got.strip_prefix("integer ") {
        format!("整数 {}", inner(v))
    } else if let Some(v) = got.strip_prefix("floating point ") {
        format!("小数 {}", inner(v))
    } else if let Some(v) = got.strip_prefix("boolean ") {
        format!("布尔值 {}", inner(v))
    } else {
        match got {
            "null" => "null".to_string(),
            "sequence" => "列表 [ ]".to_string(),
            "map" => "对象 { }".to_string(),
            other => other.to_string(),
        }
    }
}
