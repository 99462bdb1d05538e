; Inno Setup 6 script: a Windows installer for the PyInstaller bundle in dist\aigc-desktop.
;
; From the repository root, after `python packaging\build.py` has made dist\aigc-desktop\:
;   "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\aigc-desktop.iss
; (build.py prints the command with the version from pyproject.toml.) Output:
;   dist\aigc-desktop-<version>-setup.exe
; Paths below are relative to this file.

#define AppName "aigc-desktop"
#ifndef AppVersion
  #error Pass the version from pyproject.toml: ISCC /DAppVersion=X.Y.Z packaging\windows\aigc-desktop.iss
#endif

[Setup]
; Keep AppId unchanged across releases: it is how Windows recognises upgrades.
AppId={{393B8713-9C9F-4031-97BD-9CC4AE89502F}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=aigc-desktop developers
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user install without administrator rights is offered too.
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename={#AppName}-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\aigc-desktop.ico
UninstallDisplayIcon={app}\aigc-desktop.exe
UninstallDisplayName={#AppName} {#AppVersion}
InfoBeforeFile=..\..\resources\licenses\THIRD-PARTY-NOTICES.txt
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=no

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder bundle: aigc-desktop.exe (windowed), aigc-desktop-cli.exe (console) and _internal\.
Source: "..\..\dist\aigc-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\aigc-desktop.exe"; Comment: "Continue your text with a local language model"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\aigc-desktop.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\aigc-desktop.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

; Settings (registry, HKCU\Software\aigc-desktop) and downloaded models (%USERPROFILE%\.cache\huggingface)
; belong to the user and are left in place on uninstall, as with the pip-installed app.
