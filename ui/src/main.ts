import { createApp } from "vue";
import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import dayjs from "dayjs";
import "dayjs/locale/zh-cn";

// Element Plus is imported per component (see the .vue files); these are the styles of the
// components the window uses, plus the message box service.
import "element-plus/es/components/config-provider/style/css";
import "element-plus/es/components/input/style/css";
import "element-plus/es/components/select/style/css";
import "element-plus/es/components/option/style/css";
import "element-plus/es/components/date-picker/style/css";
import "element-plus/es/components/table/style/css";
import "element-plus/es/components/table-column/style/css";
import "element-plus/es/components/tag/style/css";
import "element-plus/es/components/pagination/style/css";
import "element-plus/es/components/result/style/css";
import "element-plus/es/components/button/style/css";
import "element-plus/es/components/icon/style/css";
import "element-plus/es/components/loading/style/css";
import "element-plus/es/components/message/style/css";
import "element-plus/es/components/message-box/style/css";
import "element-plus/es/components/dialog/style/css";
import "element-plus/es/components/form/style/css";
import "element-plus/es/components/form-item/style/css";
import "element-plus/es/components/checkbox/style/css";
import "element-plus/es/components/radio/style/css";
import "element-plus/es/components/radio-group/style/css";
import "element-plus/es/components/switch/style/css";
import "element-plus/es/components/progress/style/css";
import "element-plus/es/components/input-number/style/css";
import "element-plus/es/components/alert/style/css";
import "element-plus/es/components/tooltip/style/css";
import "element-plus/es/components/tabs/style/css";
import "element-plus/es/components/tab-pane/style/css";
// The case detail view.
import "element-plus/es/components/descriptions/style/css";
import "element-plus/es/components/descriptions-item/style/css";
import "element-plus/es/components/tabs/style/css";
import "element-plus/es/components/tab-pane/style/css";
import "element-plus/es/components/radio-button/style/css";
import "element-plus/es/components/checkbox-group/style/css";
import "./styles.css";

import App from "./App.vue";
import { BACKEND, createTauriBackend } from "./backend";

dayjs.locale("zh-cn");

createApp(App).provide(BACKEND, createTauriBackend(invoke, listen)).mount("#app");
