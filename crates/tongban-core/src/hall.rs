//! The hall's own wording and contact details, printed on the 收件登记表, the 一次性告知书 and
//! the 台账. The desk keeps them as settings (a key without a value has its default); the forms
//! print from them. Plain data: no storage here.

use serde::Serialize;

use crate::validate::ValidationError;

/// The hall's texts as printed on the 收件登记表, the 一次性告知书 and the 台账.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HallTexts {
    /// 服务中心名称, e.g. 新野县政务服务中心 (default: the name given at `tongban init`).
    pub hall_name: String,
    /// 地址: where the applicant brings missing materials. Empty until set (printed as a blank).
    pub address: String,
    /// 咨询电话. Empty until set (printed as a blank).
    pub phone: String,
    /// 办公时间.
    pub office_hours: String,
    /// The receipt's notice that anything missing or non-conforming will be told at once.
    pub receipt_notice: String,
    /// The closing paragraph of the 一次性告知书.
    pub notice_closing: String,
    /// 补正期限: working days the applicant has to bring what the notice lists.
    pub supplement_days: u32,
}

pub const DEFAULT_OFFICE_HOURS: &str = "周一至周五 上午9:00—12:00，下午13:00—17:00（法定节假日除外）";
pub const DEFAULT_RECEIPT_NOTICE: &str = "本窗口已接收您提交的申请材料，详见上表。申请材料不齐全或者不符合法定形式的，\
本窗口将当场一次性告知您需要补正的全部内容。请妥善保管本登记表，凭办件编号查询办理进度、领取办理结果。";
pub const DEFAULT_NOTICE_CLOSING: &str = "请按上述要求一次性补齐材料。补正材料齐全后，本窗口将及时流转办理地审批；\
如对告知内容有疑问，请在办公时间内来电或到窗口咨询。";
pub const DEFAULT_SUPPLEMENT_DAYS: u32 = 10;

impl HallTexts {
    /// The keys, their Chinese labels, in the order `settings show` lists them.
    pub const KEYS: [(&'static str, &'static str); 7] = [
        ("hall.name", "服务中心名称"),
        ("hall.address", "服务中心地址"),
        ("hall.phone", "咨询电话"),
        ("hall.office_hours", "办公时间"),
        ("receipt.notice", "收件登记表告知语"),
        ("notice.closing", "一次性告知书结束语"),
        ("notice.supplement_days", "补正期限（工作日）"),
    ];

    /// The texts of a desk whose settings were never changed.
    pub fn defaults(hall_name: &str) -> HallTexts {
        HallTexts {
            hall_name: hall_name.to_string(),
            address: String::new(),
            phone: String::new(),
            office_hours: DEFAULT_OFFICE_HOURS.into(),
            receipt_notice: DEFAULT_RECEIPT_NOTICE.into(),
            notice_closing: DEFAULT_NOTICE_CLOSING.into(),
            supplement_days: DEFAULT_SUPPLEMENT_DAYS,
        }
    }

    /// The value of `key` as text.
    pub fn get(&self, key: &str) -> Option<String> {
        Some(match key {
            "hall.name" => self.hall_name.clone(),
            "hall.address" => self.address.clone(),
            "hall.phone" => self.phone.clone(),
            "hall.office_hours" => self.office_hours.clone(),
            "receipt.notice" => self.receipt_notice.clone(),
            "notice.closing" => self.notice_closing.clone(),
            "notice.supplement_days" => self.supplement_days.to_string(),
            _ => return None,
        })
    }

    /// Sets `key` from text, checked; `None` when `key` is not one of the hall's texts. The error
    /// names the setting.
    pub fn set(&mut self, key: &str, value: &str) -> Option<Result<(), ValidationError>> {
        let value = value.trim().to_string();
        match key {
            "hall.name" => self.hall_name = value,
            "hall.address" => self.address = value,
            "hall.phone" => self.phone = value,
            "hall.office_hours" => self.office_hours = value,
            "receipt.notice" => self.receipt_notice = value,
            "notice.closing" => self.notice_closing = value,
            "notice.supplement_days" => match value.parse::<u32>().ok().filter(|d| (1..=60).contains(d)) {
                Some(days) => self.supplement_days = days,
                None => {
                    return Some(Err(ValidationError::new(format!("「{value}」无效，应为1至60之间的整数（工作日）"))))
                }
            },
            _ => return None,
        }
        Some(Ok(()))
    }
}
