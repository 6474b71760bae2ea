; The Windows installer of 通办收件台 (NSIS 3), built on Linux with Debian's makensis by
; `./dev windows-installer` (which passes the defines below). It does what Tauri's own NSIS bundle
; does for this app, with NSIS's stock plugins only: Tauri's bundler cannot run here, because it
; first downloads a plugin of its own (nsis_tauri_utils.dll) from GitHub. See README.md
; ("Windows: installing the desk").
;
; Defines (makensis -D…):
;   VERSION        0.1.0 (tauri.conf.json's version; the resource needs four numbers: 0.1.0.0)
;   BUILT          folder with tongban-desk.exe, WebView2Loader.dll and tongban.exe
;   ICON           icons/icon.ico
;   OUTFILE        where the installer goes
;   WEBVIEW2_INSTALLER  optional: Microsoft's WebView2 offline installer
;                  (MicrosoftEdgeWebView2RuntimeInstallerX64.exe, ~180 MB) to embed, for halls
;                  without internet; without it the WebView2 bootstrapper is downloaded from
;                  Microsoft when the runtime is missing (Tauri's default, "downloadBootstrapper").
;
; What it leaves alone: the desk's data (%LOCALAPPDATA%\tongban-desk\, or wherever --db or TONGBAN_DB
; put it). Uninstalling removes the program, never a case.

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma

!ifndef VERSION | BUILT | ICON | OUTFILE
  !error "makensis -DVERSION=… -DBUILT=… -DICON=… -DOUTFILE=… (./dev windows-installer passes them)"
!endif

!define PRODUCT "通办收件台"
!define PUBLISHER "Tongban Desk"
!define IDENTIFIER "cn.tongban.desk"
!define MAINBINARY "tongban-desk.exe"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${IDENTIFIER}"
; The WebView2 runtime's id in EdgeUpdate (as in Tauri's installer template).
!define WEBVIEW2APPGUID "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

Name "${PRODUCT}"
OutFile "${OUTFILE}"
Icon "${ICON}"
UninstallIcon "${ICON}"
BrandingText "${PRODUCT} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=0 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=0 "FileDescription" "${PRODUCT} 安装程序"
VIAddVersionKey /LANG=0 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=0 "LegalCopyright" "MIT License"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"

; For one Windows user (no administrator needed) or, run as administrator or with /AllUsers,
; for everyone on the PC; the choice is remembered for updates and the uninstaller.
!define MULTIUSER_EXECUTIONLEVEL Highest
!define MULTIUSER_MUI
!define MULTIUSER_INSTALLMODE_COMMANDLINE
!define MULTIUSER_USE_PROGRAMFILES64
!define MULTIUSER_INSTALLMODE_INSTDIR "${PRODUCT}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_KEY "${UNINSTKEY}"
!define MULTIUSER_INSTALLMODE_INSTDIR_REGISTRY_VALUENAME "InstallLocation"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_KEY "${UNINSTKEY}"
!define MULTIUSER_INSTALLMODE_DEFAULT_REGISTRY_VALUENAME "InstallMode"
!include MultiUser.nsh
!include MUI2.nsh
!include LogicLib.nsh
!include x64.nsh

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${MAINBINARY}"
!define MUI_FINISHPAGE_RUN_TEXT "启动${PRODUCT}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MULTIUSER_PAGE_INSTALLMODE
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "SimpChinese"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${PRODUCT}需要 64 位 Windows（Windows 10 或更新版本）。"
    Abort
  ${EndIf}
  SetRegView 64
  !insertmacro MULTIUSER_INIT
FunctionEnd

Function un.onInit
  SetRegView 64
  !insertmacro MULTIUSER_UNINIT
FunctionEnd

; Windows does not let a running program's file be replaced: an update waits until the desk is
; closed instead of failing halfway with files of two versions.
!macro WaitUntilClosed UN
Function ${UN}WaitUntilClosed
  retry:
  IfFileExists "$INSTDIR\${MAINBINARY}" 0 done
  ClearErrors
  FileOpen $0 "$INSTDIR\${MAINBINARY}" a
  ${If} ${Errors}
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "${PRODUCT}正在运行。请先关闭所有${PRODUCT}窗口（已保存的办件不会丢失），然后点“重试”。" IDRETRY retry
    Abort
  ${EndIf}
  FileClose $0
  done:
FunctionEnd
!macroend
!insertmacro WaitUntilClosed ""
!insertmacro WaitUntilClosed "un."

Section "${PRODUCT}" Main
  SectionIn RO
  Call WaitUntilClosed
  SetOutPath "$INSTDIR"
  File "${BUILT}\${MAINBINARY}"
  ; The windows-gnu build loads the WebView2 loader from beside the program.
  File "${BUILT}\WebView2Loader.dll"
  ; The command line, for operators and scripts (tongban --help).
  File "${BUILT}\tongban.exe"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\${PRODUCT}"
  CreateShortCut "$SMPROGRAMS\${PRODUCT}\${PRODUCT}.lnk" "$INSTDIR\${MAINBINARY}"
  CreateShortCut "$SMPROGRAMS\${PRODUCT}\卸载${PRODUCT}.lnk" "$INSTDIR\uninstall.exe"
  CreateShortCut "$DESKTOP\${PRODUCT}.lnk" "$INSTDIR\${MAINBINARY}"

  WriteRegStr SHCTX "${UNINSTKEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr SHCTX "${UNINSTKEY}" "DisplayIcon" '"$INSTDIR\${MAINBINARY}"'
  WriteRegStr SHCTX "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr SHCTX "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINSTKEY}" "InstallMode" "$MultiUser.InstallMode"
  WriteRegStr SHCTX "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode'
  WriteRegStr SHCTX "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /$MultiUser.InstallMode /S'
  WriteRegDWORD SHCTX "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINSTKEY}" "NoRepair" 1
SectionEnd

; The window is drawn by Microsoft Edge WebView2, part of Windows 11 and of Windows 10 kept up to
; date. Where it is missing it is installed first, as Tauri's installer does.
Section "WebView2" WebView2
  ReadRegStr $4 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2APPGUID}" "pv"
  ${If} $4 == ""
    ReadRegStr $4 HKCU "SOFTWARE\Microsoft\EdgeUpdate\Clients\${WEBVIEW2APPGUID}" "pv"
  ${EndIf}
  ${If} $4 != ""
  ${AndIf} $4 != "0.0.0.0"
    DetailPrint "已有 WebView2 运行时 $4"
    Return
  ${EndIf}
  !ifdef WEBVIEW2_INSTALLER
    File "/oname=$TEMP\MicrosoftEdgeWebView2RuntimeInstaller.exe" "${WEBVIEW2_INSTALLER}"
    StrCpy $6 "$TEMP\MicrosoftEdgeWebView2RuntimeInstaller.exe"
  !else
    DetailPrint "正在下载 WebView2 运行时安装程序…"
    StrCpy $6 "$TEMP\MicrosoftEdgeWebview2Setup.exe"
    Delete $6
    ; NSIS's own downloader speaks no HTTPS; Windows' PowerShell does.
    nsExec::ExecToLog 'powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -Command "[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12; Invoke-WebRequest -UseBasicParsing -Uri https://go.microsoft.com/fwlink/p/?LinkId=2124703 -OutFile $\'$6$\'"'
    Pop $0
    ${IfNot} ${FileExists} $6
      MessageBox MB_ICONSTOP "无法下载 WebView2 运行时（本机无法访问互联网？）。请向信息科索取 Microsoft Edge WebView2 运行时的离线安装程序，安装后再运行本安装程序。"
      Abort
    ${EndIf}
  !endif
  DetailPrint "正在安装 WebView2 运行时…"
  ExecWait '"$6" /silent /install' $1
  Delete $6
  ${If} $1 != 0
    MessageBox MB_ICONSTOP "WebView2 运行时安装失败（代码 $1）。请安装 Microsoft Edge WebView2 运行时后再运行本安装程序。"
    Abort
  ${EndIf}
SectionEnd

Section "Uninstall"
  Call un.WaitUntilClosed
  Delete "$INSTDIR\${MAINBINARY}"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\tongban.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\${PRODUCT}\${PRODUCT}.lnk"
  Delete "$SMPROGRAMS\${PRODUCT}\卸载${PRODUCT}.lnk"
  RMDir "$SMPROGRAMS\${PRODUCT}"
  Delete "$DESKTOP\${PRODUCT}.lnk"
  DeleteRegKey SHCTX "${UNINSTKEY}"
  ; The cases stay: %LOCALAPPDATA%\tongban-desk\ is the hall's data, not the program's.
  DetailPrint "办件数据保留在 %LOCALAPPDATA%\tongban-desk\ 中，未删除。"
SectionEnd
