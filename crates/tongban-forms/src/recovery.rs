//! The 恢复密钥 sheet: the desk's data key, written for people, printed once at set-up and kept
//! in the hall's safe. It is the only way back from a forgotten admin password (or a lost key
//! file), so it says what it is, what it opens and how to use it, and leaves room to sign.

use crate::layout::{line_height, Align, Area, Canvas, Style};
use crate::{date_zh, FormError, FormFont, RecoverySheet};

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const LEFT: f32 = 20.0;
const WIDTH: f32 = PAGE_W - 2.0 * LEFT;

pub(crate) fn render(font: &FormFont, input: &RecoverySheet<'_>) -> Result<Vec<u8>, FormError> {
    font.check("服务中心名称", input.hall)?;
    font.check("窗口名称", input.window)?;
    font.check("区划名称", input.region_name)?;
    let mut c = Canvas::new(font, "通办收件台恢复密钥");
    c.add_page(PAGE_W, PAGE_H);
    c.title_at(PAGE_W / 2.0, 30.0, 20.0, Align::Centre, "通办收件台　恢复密钥");
    c.text_at(PAGE_W / 2.0, 39.0, 10.5, Align::Centre, "机密　请放入保险柜保管，不得复印、拍照或存入电脑");

    let mut y = 50.0;
    for (label, value) in [
        ("受理台", format!("{}（{}）", input.region_name, input.region)),
        ("服务中心", input.hall.to_string()),
        ("窗口", format!("{}　窗口代码 {}", input.window, input.desk_code)),
        ("受理台编号", input.desk_id.to_string()),
        ("生成日期", date_zh(input.created_on)),
    ] {
        c.text_at(LEFT, y, 11.0, Align::Left, &format!("{label}："));
        c.text_in(
            Area::new(LEFT + 28.0, y - 4.2, WIDTH - 28.0, line_height(11.0)),
            Style::new(11.0).shrink_to(8.0).top(),
            label,
            &value,
        )?;
        y += 8.0;
    }

    // The key: 11 groups of five, in a framed box, large enough to read without mistakes.
    y += 6.0;
    let box_h = 44.0;
    c.frame(Area::new(LEFT, y, WIDTH, box_h), 0.8);
    c.text_at(
        LEFT + 4.0,
        y + 7.0,
        10.0,
        Align::Left,
        "恢复密钥（共 11 组，每组 5 个字符；不含字母 I、L、O、U，输入时不分大小写）：",
    );
    let groups = input.key_groups;
    let per_line = 4;
    for (line, chunk) in groups.chunks(per_line).enumerate() {
        let text = chunk
            .iter()
            .enumerate()
            .map(|(i, g)| format!("{:>2}. {g}", line * per_line + i + 1))
            .collect::<Vec<_>>()
            .join("　　");
        c.text_at(LEFT + 6.0, y + 18.0 + line as f32 * 9.5, 15.0, Align::Left, &text);
    }
    y += box_h + 10.0;

    let paragraphs = [
        "一、这份恢复密钥就是本受理台数据的总钥匙：有了它，不需要任何密码即可打开本受理台的数据库和扫描件。它只在设置时生成并打印这一次，程序不再保存、也无法再次显示。",
        "二、只有在下列情况才使用：管理员忘记密码且没有其他管理员可以重置；或数据库旁的密钥文件（.keys）丢失、损坏。使用方法：在登录界面选择「忘记管理员密码」，或在命令行运行 tongban recover 管理员登录名，输入本密钥并为管理员设置新密码。每次使用都记入审计日志。",
        "三、本密钥遗失或可能被他人看到时，请立即报告，并在技术支持下更换数据密钥。",
    ];
    for p in paragraphs {
        let lines = crate::layout::wrap(font, p, 10.5, WIDTH);
        for line in &lines {
            c.text_at(LEFT, y, 10.5, Align::Left, line);
            y += line_height(10.5);
        }
        y += 2.5;
    }

    y += 12.0;
    c.text_at(LEFT, y, 11.0, Align::Left, "保管人签字：");
    c.hline(LEFT + 26.0, LEFT + 75.0, y + 1.2, 0.4);
    c.text_at(LEFT + 90.0, y, 11.0, Align::Left, "监交人签字：");
    c.hline(LEFT + 116.0, LEFT + WIDTH, y + 1.2, 0.4);
    y += 14.0;
    c.text_at(LEFT, y, 11.0, Align::Left, "封存日期：　　　　年　　月　　日");
    c.text_at(LEFT + 90.0, y, 11.0, Align::Left, "（加盖单位公章）");
    c.text_at(PAGE_W / 2.0, PAGE_H - 12.0, 8.0, Align::Centre, "通办收件台　恢复密钥表　第 1 页　共 1 页");
    c.finish()
}
