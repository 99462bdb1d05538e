<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>Autosaver</name>
    <message>
        <source>Unsaved changes could not be copied to the recovery folder “%s”: %s Save your document to keep it safe.</source>
        <translation>未保存的更改无法复制到恢复文件夹“%s”：%s 请保存文档，以免丢失。</translation>
    </message>
</context>
<context>
    <name>CandidatesPanel</name>
    <message>
        <source>All Candidates</source>
        <translation>全部候选</translation>
    </message>
    <message>
        <source>Click a candidate or press its number to accept it; Esc closes.</source>
        <translation>点击某个候选或按它的编号即可接受；按 Esc 关闭。</translation>
    </message>
</context>
<context>
    <name>CandidatesView</name>
    <message>
        <source>No other likely word here</source>
        <translation>此处没有其他可能的词</translation>
    </message>
    <message>
        <source>Part of the suggestion was accepted: the other candidates no longer fit and were put aside.</source>
        <translation>已接受建议的一部分：其他候选已不再适用，已被搁置。</translation>
    </message>
</context>
<context>
    <name>ContinuationController</name>
    <message>
        <source>The model is not ready yet: wait for it to load, or choose one in Settings.</source>
        <translation>模型尚未就绪：请等待加载完成，或在设置中选择模型。</translation>
    </message>
    <message>
        <source>There is no text to continue: write something first, or select a passage.</source>
        <translation>没有可续写的文本：请先写点内容，或选中一段文字。</translation>
    </message>
    <message>
        <source>The text generator stopped unexpectedly and has been restarted. Your text is safe; press Continue to try again.</source>
        <translation>文本生成器意外停止，已重新启动。你的文本没有丢失；请按“续写”重试。</translation>
    </message>
</context>
<context>
    <name>Document</name>
    <message>
        <source>Text and Markdown (*.txt *.md *.markdown *.text);;All files (*)</source>
        <translation>文本和 Markdown 文件 (*.txt *.md *.markdown *.text);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>Save changes to “%s” before closing it?</source>
        <translation>关闭前是否保存对“%s”的更改？</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Opened %s</source>
        <translation>已打开 %s</translation>
    </message>
    <message>
        <source>Save As</source>
        <translation>另存为</translation>
    </message>
    <message>
        <source>Saved %s</source>
        <translation>已保存 %s</translation>
    </message>
    <message>
        <source>“%s” is %.0f MB. Very large files make the editor slow. Open it anyway?</source>
        <translation>“%s”有 %.0f MB。过大的文件会使编辑器变慢。仍要打开吗？</translation>
    </message>
    <message>
        <source>“%s” was changed by another program, and you have unsaved changes here.
Reload it and lose your changes, or keep your version?</source>
        <translation>“%s”已被其他程序修改，而你在此处还有未保存的更改。
要重新加载并放弃你的更改，还是保留你的版本？</translation>
    </message>
    <message>
        <source>“%s” was changed by another program. Reload it?</source>
        <translation>“%s”已被其他程序修改。要重新加载吗？</translation>
    </message>
    <message>
        <source>Reload</source>
        <translation>重新加载</translation>
    </message>
    <message>
        <source>Keep My Version</source>
        <translation>保留我的版本</translation>
    </message>
    <message>
        <source>“%s” was moved or deleted by another program. Your text is still here: save it to keep it.</source>
        <translation>“%s”已被其他程序移动或删除。你的文本仍在此处：请保存以免丢失。</translation>
    </message>
    <message>
        <source>The document was saved, but its AI labels could not be: %s</source>
        <translation>文档已保存，但其 AI 标注未能保存：%s</translation>
    </message>
    <message>
        <source>This file was changed outside aigc-desktop since its AI labels were saved, so they were dropped rather than put in the wrong place.</source>
        <translation>保存 AI 标注之后，此文件在 aigc-desktop 之外被修改过，因此已丢弃这些标注，以免标错位置。</translation>
    </message>
    <message>
        <source>The AI labels saved beside this file could not be read, so they were ignored.</source>
        <translation>此文件旁保存的 AI 标注无法读取，已忽略。</translation>
    </message>
</context>
<context>
    <name>DownloadWorker</name>
    <message>
        <source>Download failed: %s</source>
        <translation>下载失败：%s</translation>
    </message>
</context>
<context>
    <name>EncodingMenu</name>
    <message>
        <source>UTF-8 with BOM</source>
        <translation>UTF-8（带 BOM）</translation>
    </message>
    <message>
        <source>Save with &amp;Encoding</source>
        <translation>以其他编码保存(&amp;E)</translation>
    </message>
    <message>
        <source>%s line endings</source>
        <translation>%s 换行符</translation>
    </message>
</context>
<context>
    <name>EngineMessages</name>
    <message>
        <source>Model &apos;%s&apos; is not downloaded yet.</source>
        <translation>模型“%s”尚未下载。</translation>
    </message>
    <message>
        <source>Model &apos;%s&apos; is not downloaded yet and the Hugging Face hub cannot be reached. Connect to the internet to download it, or choose a local model folder.</source>
        <translation>模型“%s”尚未下载，且无法连接 Hugging Face。请联网后下载，或选择本地模型。</translation>
    </message>
    <message>
        <source>Could not load model &apos;%s&apos;: %s</source>
        <translation>无法加载模型“%s”：%s</translation>
    </message>
    <message>
        <source>Model folder not found: %s</source>
        <translation>找不到模型文件夹：%s</translation>
    </message>
    <message>
        <source>%s is a file, not a model folder (a folder written by save_pretrained).</source>
        <translation>%s 是文件，不是模型文件夹（由 save_pretrained 写出的文件夹）。</translation>
    </message>
    <message>
        <source>%s is not a model folder: it has no config.json.</source>
        <translation>%s 不是模型文件夹：其中没有 config.json。</translation>
    </message>
    <message>
        <source>%s has no model weights (*.safetensors).</source>
        <translation>%s 中没有模型权重（*.safetensors）。</translation>
    </message>
    <message>
        <source>GGUF file not found: %s</source>
        <translation>找不到 GGUF 文件：%s</translation>
    </message>
    <message>
        <source>%s is a folder, not a GGUF file.</source>
        <translation>%s 是文件夹，不是 GGUF 文件。</translation>
    </message>
    <message>
        <source>%s is not a GGUF file (it does not start with &apos;GGUF&apos;).</source>
        <translation>%s 不是 GGUF 文件（开头不是“GGUF”）。</translation>
    </message>
    <message>
        <source>The Hugging Face hub cannot be reached (offline, or HF_HUB_OFFLINE is set). Connect to the internet, or choose a local model folder or GGUF file instead.</source>
        <translation>无法连接 Hugging Face（处于离线状态，或设置了 HF_HUB_OFFLINE）。请联网，或改用本地模型文件夹或 GGUF 文件。</translation>
    </message>
    <message>
        <source>The file “%s” does not exist. It may have been moved or deleted.</source>
        <translation>文件“%s”不存在，可能已被移动或删除。</translation>
    </message>
    <message>
        <source>“%s” is a folder, not a text file.</source>
        <translation>“%s”是文件夹，不是文本文件。</translation>
    </message>
    <message>
        <source>You do not have permission to read “%s”.</source>
        <translation>你没有读取“%s”的权限。</translation>
    </message>
    <message>
        <source>“%s” looks like a binary file, not a text file.</source>
        <translation>“%s”看起来是二进制文件，不是文本文件。</translation>
    </message>
    <message>
        <source>“%s” is too large to open.</source>
        <translation>“%s”太大，无法打开。</translation>
    </message>
    <message>
        <source>%s does not say which architecture it is (no model_type).</source>
        <translation>%s 没有说明模型的架构（缺少 model_type）。</translation>
    </message>
    <message>
        <source>Unknown architecture &apos;%s&apos; in %s: it is not a text-generation model that transformers can load.</source>
        <translation>未知架构“%s”（见 %s）：这不是 transformers 能加载的文本生成模型。</translation>
    </message>
    <message>
        <source>%s describes a %s (&apos;%s&apos;): it is not a text-generation model (a causal language model such as GPT-2 is needed).</source>
        <translation>%s 描述的是 %s（“%s”）：这不是文本生成模型（需要 GPT-2 这样的因果语言模型）。</translation>
    </message>
    <message>
        <source>Loading GGUF files needs the &apos;gguf&apos; package: pip install gguf</source>
        <translation>加载 GGUF 文件需要“gguf”软件包：pip install gguf</translation>
    </message>
    <message>
        <source>%s is not a usable GGUF file: %s</source>
        <translation>%s 不是可用的 GGUF 文件：%s</translation>
    </message>
    <message>
        <source>Not enough memory to load model &apos;%s&apos;.</source>
        <translation>内存不足，无法加载模型“%s”。</translation>
    </message>
    <message>
        <source>Could not load model &apos;%s&apos;: its tokenizer is missing or empty (no tokenizer.json, vocab.json or vocab.txt).</source>
        <translation>无法加载模型“%s”：分词器缺失或为空（没有 tokenizer.json、vocab.json 或 vocab.txt）。</translation>
    </message>
    <message>
        <source>%s has only PyTorch pickle weights (.bin); for safety aigc-desktop loads safetensors weights only. Re-save the model with save_pretrained(safe_serialization=True).</source>
        <translation>%s 只有 PyTorch pickle 权重（.bin）；为安全起见，aigc-desktop 只加载 safetensors 权重。请用 save_pretrained(safe_serialization=True) 重新保存模型。</translation>
    </message>
    <message>
        <source>Could not read %s: %s</source>
        <translation>无法读取 %s：%s</translation>
    </message>
    <message>
        <source>%s is too large for %s (over %s MB).</source>
        <translation>%s 作为 %s 文件太大（超过 %s MB）。</translation>
    </message>
    <message>
        <source>%s is not valid %s: it is nested too deeply.</source>
        <translation>%s 不是有效的 %s：嵌套层数过深。</translation>
    </message>
    <message>
        <source>%s is not valid %s: %s</source>
        <translation>%s 不是有效的 %s：%s</translation>
    </message>
    <message>
        <source>safetensors (its header)</source>
        <translation>safetensors（文件头）</translation>
    </message>
    <message>
        <source>%s is not a model configuration (it is not a JSON object).</source>
        <translation>%s 不是模型配置（不是 JSON 对象）。</translation>
    </message>
    <message>
        <source>%s gives an impossible %s (%s).</source>
        <translation>%s 给出了不可能的%s（%s）。</translation>
    </message>
    <message>
        <source>number of layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <source>number of attention heads</source>
        <translation>注意力头数</translation>
    </message>
    <message>
        <source>hidden size</source>
        <translation>隐藏层大小</translation>
    </message>
    <message>
        <source>vocabulary size</source>
        <translation>词表大小</translation>
    </message>
    <message>
        <source>context length</source>
        <translation>上下文长度</translation>
    </message>
    <message>
        <source>%s is not a number JSON allows</source>
        <translation>%s 不是 JSON 允许的数值</translation>
    </message>
    <message>
        <source>%s asks for %s layers; no real model has more than %s.</source>
        <translation>%s 要求 %s 层；真实模型都不超过 %s 层。</translation>
    </message>
    <message>
        <source>%s: the hidden size (%s) is not a multiple of the number of attention heads (%s).</source>
        <translation>%s：隐藏层大小（%s）不是注意力头数（%s）的整数倍。</translation>
    </message>
    <message>
        <source>%s names an unknown number type (%s: %s).</source>
        <translation>%s 指定了未知的数值类型（%s：%s）。</translation>
    </message>
    <message>
        <source>%s has no weight_map: it does not say where the weights are.</source>
        <translation>%s 没有 weight_map：没有说明权重在哪里。</translation>
    </message>
    <message>
        <source>%s points at %s; for safety only .safetensors files in the model&apos;s own folder are loaded.</source>
        <translation>%s 指向 %s；为安全起见，只加载模型自身文件夹中的 .safetensors 文件。</translation>
    </message>
    <message>
        <source>%s is incomplete: %s (listed in %s) is missing.</source>
        <translation>%s 不完整：缺少 %s（列在 %s 中）。</translation>
    </message>
    <message>
        <source>%s is empty: the weights are missing.</source>
        <translation>%s 是空文件：缺少权重。</translation>
    </message>
    <message>
        <source>%s is truncated: it is not a complete safetensors file.</source>
        <translation>%s 被截断了：不是完整的 safetensors 文件。</translation>
    </message>
    <message>
        <source>%s is truncated or damaged: its header claims %s bytes.</source>
        <translation>%s 被截断或已损坏：其文件头声称有 %s 字节。</translation>
    </message>
    <message>
        <source>%s is not a safetensors file (its header is not a JSON object).</source>
        <translation>%s 不是 safetensors 文件（文件头不是 JSON 对象）。</translation>
    </message>
    <message>
        <source>%s is damaged: the entry for tensor %s is invalid.</source>
        <translation>%s 已损坏：张量 %s 的条目无效。</translation>
    </message>
    <message>
        <source>%s is truncated or damaged: tensor %s claims bytes the file does not hold.</source>
        <translation>%s 被截断或已损坏：张量 %s 声称的字节超出了文件范围。</translation>
    </message>
    <message>
        <source>%s is damaged: two of its tensors overlap.</source>
        <translation>%s 已损坏：其中两个张量相互重叠。</translation>
    </message>
    <message>
        <source>%s holds no tensors: its weights file is empty.</source>
        <translation>%s 中没有张量：权重文件是空的。</translation>
    </message>
    <message>
        <source>%s is incomplete: the config asks for %s layers but the weights hold %s; it would run with random layers.</source>
        <translation>%s 不完整：配置要求 %s 层，但权重只有 %s 层；运行时会用随机的层。</translation>
    </message>
    <message>
        <source>%s is truncated: it is not a complete GGUF file.</source>
        <translation>%s 被截断了：不是完整的 GGUF 文件。</translation>
    </message>
    <message>
        <source>%s is GGUF version %s, which is not supported (2 and 3 are).</source>
        <translation>%s 是 GGUF 第 %s 版，不受支持（支持第 2 和第 3 版）。</translation>
    </message>
    <message>
        <source>%s is truncated or damaged: its header claims %s tensors and %s fields.</source>
        <translation>%s 被截断或已损坏：其文件头声称有 %s 个张量和 %s 个字段。</translation>
    </message>
    <message>
        <source>%s does not describe a model that can be built: %s</source>
        <translation>%s 描述的模型无法构建：%s</translation>
    </message>
    <message>
        <source>%s is incomplete: the weights lack %s; the model would run with random values there.</source>
        <translation>%s 不完整：权重中缺少 %s；模型在那里会使用随机值。</translation>
    </message>
    <message>
        <source>%s: the weights do not match config.json (%s is %s in the file, %s in the config).</source>
        <translation>%s：权重与 config.json 不符（%s 在文件中是 %s，在配置中是 %s）。</translation>
    </message>
    <message>
        <source>%s is incomplete: it declares %s layers but holds tensors for %s; it would run with random layers.</source>
        <translation>%s 不完整：声明了 %s 层，但只有 %s 层的张量；运行时会用随机的层。</translation>
    </message>
    <message>
        <source>%s: its embedding size (%s) does not match its tensors.</source>
        <translation>%s：嵌入大小（%s）与其张量不符。</translation>
    </message>
    <message>
        <source>%s fast int8</source>
        <translation>%s 快速 int8</translation>
    </message>
    <message>
        <source>%s exact fp32</source>
        <translation>%s 精确 fp32</translation>
    </message>
    <message>
        <source>Unknown device &apos;%s&apos;. Choose one of: %s.</source>
        <translation>未知设备“%s”。请从以下选择：%s。</translation>
    </message>
    <message>
        <source>CUDA was requested but no CUDA GPU is available; use --device cpu.</source>
        <translation>请求使用 CUDA，但没有可用的 CUDA GPU；请使用 --device cpu。</translation>
    </message>
    <message>
        <source>MPS was requested but Apple&apos;s Metal backend is not available; use --device cpu.</source>
        <translation>请求使用 MPS，但 Apple 的 Metal 后端不可用；请使用 --device cpu。</translation>
    </message>
    <message>
        <source>&apos;%s&apos; is not a valid Hugging Face model id.</source>
        <translation>“%s”不是有效的 Hugging Face 模型 ID。</translation>
    </message>
    <message>
        <source>Could not get the file list of &apos;%s&apos; from the hub: %s</source>
        <translation>无法从 Hugging Face 获取“%s”的文件列表：%s</translation>
    </message>
    <message>
        <source>The hub listed a file name for &apos;%s&apos; that would be written outside its folder (%s); nothing was downloaded.</source>
        <translation>Hugging Face 为“%s”列出的文件名会写到其文件夹之外（%s）；未下载任何文件。</translation>
    </message>
    <message>
        <source>&apos;%s&apos; publishes no safetensors weights; for safety aigc-desktop does not load pickle (.bin) weights. Choose another model or a local folder.</source>
        <translation>“%s”没有发布 safetensors 权重；为安全起见，aigc-desktop 不加载 pickle（.bin）权重。请选择其他模型或本地文件夹。</translation>
    </message>
    <message>
        <source>&apos;%s&apos; has no config.json: it is not a model that can be loaded.</source>
        <translation>“%s”没有 config.json：不是可以加载的模型。</translation>
    </message>
    <message>
        <source>Downloading %s of &apos;%s&apos; failed: %s</source>
        <translation>下载 %s（属于“%s”）失败：%s</translation>
    </message>
    <message>
        <source>&apos;%s&apos; has no files to download.</source>
        <translation>“%s”没有可下载的文件。</translation>
    </message>
    <message>
        <source>The hub sent no version information for %s of &apos;%s&apos;.</source>
        <translation>Hugging Face 没有发送 %s（属于“%s”）的版本信息。</translation>
    </message>
    <message>
        <source>The hub sent an invalid version id for %s of &apos;%s&apos;; nothing was written.</source>
        <translation>Hugging Face 为 %s（属于“%s”）发送了无效的版本 ID；未写入任何文件。</translation>
    </message>
    <message>
        <source>The hub did not say how large %s of &apos;%s&apos; is; it was not downloaded.</source>
        <translation>Hugging Face 没有说明 %s（属于“%s”）有多大；未下载。</translation>
    </message>
    <message>
        <source>%s does not match the checksum the hub gave for it; the file was deleted. Try again, or use another mirror.</source>
        <translation>%s 与 Hugging Face 给出的校验和不符，文件已删除。请重试，或换一个镜像。</translation>
    </message>
    <message>
        <source>The hub sent a file name that would be written outside the model&apos;s folder (%s); nothing was written.</source>
        <translation>Hugging Face 发送的文件名会写到模型文件夹之外（%s）；未写入任何文件。</translation>
    </message>
    <message>
        <source>Unexpected answer %s for %s.</source>
        <translation>收到意外的应答 %s（请求 %s）。</translation>
    </message>
    <message>
        <source>%s is larger than the hub said (%s bytes); the download was stopped and the partial file deleted.</source>
        <translation>%s 比 Hugging Face 所说的（%s 字节）更大；下载已停止，未完成的文件已删除。</translation>
    </message>
    <message>
        <source>%s arrived incomplete (%s of %s bytes); try again to resume.</source>
        <translation>%s 下载不完整（%s / %s 字节）；请重试以继续下载。</translation>
    </message>
    <message>
        <source>“%s” is not a regular file (it may be a device or a pipe).</source>
        <translation>“%s”不是普通文件（可能是设备或管道）。</translation>
    </message>
    <message>
        <source>Could not read “%s”: %s.</source>
        <translation>无法读取“%s”：%s。</translation>
    </message>
    <message>
        <source>“%s” is saved as UTF-32, which cannot be opened; convert it to UTF-8 in another editor first.</source>
        <translation>“%s”以 UTF-32 保存，无法打开；请先在其他编辑器中转换为 UTF-8。</translation>
    </message>
    <message>
        <source>“%s” starts like a UTF-16 file but is not valid UTF-16 text.</source>
        <translation>“%s”开头像 UTF-16 文件，但不是有效的 UTF-16 文本。</translation>
    </message>
    <message>
        <source>The encoding of “%s” could not be recognised: it is not UTF-8, UTF-16 or Chinese GB18030/GBK text. It may be a binary file or saved in another encoding such as Windows-1252; convert it to UTF-8 in another editor first.</source>
        <translation>无法识别“%s”的编码：它不是 UTF-8、UTF-16 或中文 GB18030/GBK 文本。它可能是二进制文件，或以 Windows-1252 等其他编码保存；请先在其他编辑器中转换为 UTF-8。</translation>
    </message>
    <message>
        <source>The text contains a character that cannot be saved as %s (at position %s).</source>
        <translation>文本中有无法保存为 %s 的字符（位于第 %s 个字符）。</translation>
    </message>
    <message>
        <source>%s with BOM</source>
        <translation>%s（带 BOM）</translation>
    </message>
    <message>
        <source>“%s” is a folder; choose a file name to save to.</source>
        <translation>“%s”是文件夹；请选择要保存到的文件名。</translation>
    </message>
    <message>
        <source>Could not save “%s”: permission denied. The file or its folder may be read-only; try Save As… to another folder.</source>
        <translation>无法保存“%s”：权限不足。文件或其文件夹可能是只读的；请尝试“另存为…”到其他文件夹。</translation>
    </message>
    <message>
        <source>Could not save “%s”: the disk or folder is read-only. Try Save As… elsewhere.</source>
        <translation>无法保存“%s”：磁盘或文件夹是只读的。请尝试“另存为…”到别处。</translation>
    </message>
    <message>
        <source>Could not save “%s”: the disk is full. Free some space and save again.</source>
        <translation>无法保存“%s”：磁盘已满。请释放一些空间后再保存。</translation>
    </message>
    <message>
        <source>Could not save “%s”: the folder “%s” does not exist.</source>
        <translation>无法保存“%s”：文件夹“%s”不存在。</translation>
    </message>
    <message>
        <source>Could not save “%s”: %s.</source>
        <translation>无法保存“%s”：%s。</translation>
    </message>
    <message>
        <source>Not enough GPU memory for this model: it runs on the CPU instead.</source>
        <translation>GPU 内存不足以运行此模型：已改在 CPU 上运行。</translation>
    </message>
    <message>
        <source>Fast mode does not support this model (%s): it runs in exact fp32.</source>
        <translation>快速模式不支持此模型（%s）：改以精确 fp32 运行。</translation>
    </message>
    <message>
        <source>Fast mode could not start (%s): the model runs in exact fp32.</source>
        <translation>快速模式无法启动（%s）：模型改以精确 fp32 运行。</translation>
    </message>
    <message>
        <source>Permission denied</source>
        <translation>权限不足</translation>
    </message>
    <message>
        <source>No space left on device</source>
        <translation>设备上没有剩余空间</translation>
    </message>
    <message>
        <source>No such file or directory</source>
        <translation>没有该文件或文件夹</translation>
    </message>
    <message>
        <source>Read-only file system</source>
        <translation>文件系统为只读</translation>
    </message>
    <message>
        <source>Could not connect to the server at %s within %s s. Check the address and that the server is running.</source>
        <translation>无法连接到服务器 %s（%s 秒内未连上）。请检查地址，并确认服务器正在运行。</translation>
    </message>
    <message>
        <source>The secure (TLS) connection to the server at %s failed: %s.</source>
        <translation>与服务器 %s 的安全（TLS）连接失败：%s。</translation>
    </message>
    <message>
        <source>This computer does not trust the server&apos;s certificate.</source>
        <translation>本机不信任该服务器的证书。</translation>
    </message>
    <message>
        <source>The server seems to speak plain HTTP: try http:// instead of https://.</source>
        <translation>该服务器似乎使用普通 HTTP：请用 http:// 代替 https://。</translation>
    </message>
    <message>
        <source>Could not find the server &apos;%s&apos;: its name does not resolve (DNS lookup failed). Check the address and your network connection.</source>
        <translation>找不到服务器“%s”：无法解析该名称（DNS 查询失败）。请检查地址和网络连接。</translation>
    </message>
    <message>
        <source>Could not connect to the server at %s: the connection was refused. Is the server running and listening on port %s?</source>
        <translation>无法连接到服务器 %s：连接被拒绝。服务器是否正在运行并监听端口 %s？</translation>
    </message>
    <message>
        <source>The server at %s did not answer within %s s.</source>
        <translation>服务器 %s 在 %s 秒内没有应答。</translation>
    </message>
    <message>
        <source>Could not connect to the server at %s: %s.</source>
        <translation>无法连接到服务器 %s：%s。</translation>
    </message>
    <message>
        <source>The connection to the server at %s failed: %s.</source>
        <translation>与服务器 %s 的连接失败：%s。</translation>
    </message>
    <message>
        <source>The server said: &quot;%s&quot;.</source>
        <translation>服务器的说明：“%s”。</translation>
    </message>
    <message>
        <source>The server at %s refused the request (%s): %s.</source>
        <translation>服务器 %s 拒绝了请求（%s）：%s。</translation>
    </message>
    <message>
        <source>the API key was not accepted; check it</source>
        <translation>API 密钥未被接受，请检查</translation>
    </message>
    <message>
        <source>it needs an API key, and none was given</source>
        <translation>它需要 API 密钥，但未提供</translation>
    </message>
    <message>
        <source>The server at %s refused access (%s): the API key is wrong, missing or not allowed to use %s.</source>
        <translation>服务器 %s 拒绝访问（%s）：API 密钥错误、缺失，或无权使用%s。</translation>
    </message>
    <message>
        <source>the model &apos;%s&apos;</source>
        <translation>模型“%s”</translation>
    </message>
    <message>
        <source>its model</source>
        <translation>其模型</translation>
    </message>
    <message>
        <source>The server at %s could not find the model (%s).</source>
        <translation>服务器 %s 找不到该模型（%s）。</translation>
    </message>
    <message>
        <source>It offers: %s.</source>
        <translation>它提供的模型：%s。</translation>
    </message>
    <message>
        <source>It did not list the models it offers.</source>
        <translation>它没有列出所提供的模型。</translation>
    </message>
    <message>
        <source>The server at %s has no model &apos;%s&apos;.</source>
        <translation>服务器 %s 上没有模型“%s”。</translation>
    </message>
    <message>
        <source>The server at %s has no completions endpoint (%s at /v1/completions). Check that the address is the server&apos;s base URL and that it speaks the OpenAI-compatible API.</source>
        <translation>服务器 %s 没有补全接口（/v1/completions 返回 %s）。请确认地址是服务器的基础 URL，且服务器提供 OpenAI 兼容接口。</translation>
    </message>
    <message>
        <source>The server at %s is busy (%s): %s.</source>
        <translation>服务器 %s 繁忙（%s）：%s。</translation>
    </message>
    <message>
        <source>try again in %s seconds</source>
        <translation>请在 %s 秒后重试</translation>
    </message>
    <message>
        <source>try again in %s second</source>
        <translation>请在 %s 秒后重试</translation>
    </message>
    <message>
        <source>try again in %s minutes</source>
        <translation>请在 %s 分钟后重试</translation>
    </message>
    <message>
        <source>try again in a little while</source>
        <translation>请稍后重试</translation>
    </message>
    <message>
        <source>The server at %s rejected the setting %s (%s).</source>
        <translation>服务器 %s 拒绝了设置“%s”（%s）。</translation>
    </message>
    <message>
        <source>the text to continue</source>
        <translation>要续写的文本</translation>
    </message>
    <message>
        <source>max new tokens</source>
        <translation>最大新词元数</translation>
    </message>
    <message>
        <source>temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>top-p</source>
        <translation>Top-p 采样</translation>
    </message>
    <message>
        <source>top-k</source>
        <translation>Top-k 采样</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>stop sequences</source>
        <translation>停止序列</translation>
    </message>
    <message>
        <source>alternatives</source>
        <translation>候选数</translation>
    </message>
    <message>
        <source>repetition penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <source>model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>token probabilities</source>
        <translation>词元概率</translation>
    </message>
    <message>
        <source>usage reporting</source>
        <translation>用量报告</translation>
    </message>
    <message>
        <source>The server at %s rejected the request (%s).</source>
        <translation>服务器 %s 拒绝了请求（%s）。</translation>
    </message>
    <message>
        <source>The server at %s is unavailable (%s); it may still be loading the model, try again shortly.</source>
        <translation>服务器 %s 暂不可用（%s）；它可能仍在加载模型，请稍后重试。</translation>
    </message>
    <message>
        <source>The server at %s failed (%s).</source>
        <translation>服务器 %s 出错（%s）。</translation>
    </message>
    <message>
        <source>The server at %s answered %s.</source>
        <translation>服务器 %s 返回了 %s。</translation>
    </message>
    <message>
        <source>The server at %s sent a malformed event: &quot;%s&quot;.</source>
        <translation>服务器 %s 发来格式错误的事件：“%s”。</translation>
    </message>
    <message>
        <source>The server failed while generating: %s</source>
        <translation>服务器在生成时出错：%s</translation>
    </message>
    <message>
        <source>The server at %s sent a malformed response: %s.</source>
        <translation>服务器 %s 发来格式错误的响应：%s。</translation>
    </message>
    <message>
        <source>an event longer than %s KiB</source>
        <translation>事件超过 %s KiB</translation>
    </message>
    <message>
        <source>an unsupported content encoding (%s)</source>
        <translation>不支持的内容编码（%s）</translation>
    </message>
    <message>
        <source>a body that does not decompress</source>
        <translation>响应体无法解压</translation>
    </message>
    <message>
        <source>an answer longer than %s MiB</source>
        <translation>响应超过 %s MiB</translation>
    </message>
    <message>
        <source>an event line longer than %s KiB</source>
        <translation>事件行超过 %s KiB</translation>
    </message>
    <message>
        <source>The server&apos;s stream was cut off part-way (%s).</source>
        <translation>服务器的数据流中途断开（%s）。</translation>
    </message>
    <message>
        <source>The server&apos;s stream was cut off part-way (%s); the %s characters received so far were kept.</source>
        <translation>服务器的数据流中途断开（%s）；已保留目前收到的 %s 个字符。</translation>
    </message>
    <message>
        <source>no new text came for %s s</source>
        <translation>%s 秒内没有新文本</translation>
    </message>
    <message>
        <source>nothing came for %s s</source>
        <translation>%s 秒内没有收到任何数据</translation>
    </message>
    <message>
        <source>the server closed the connection</source>
        <translation>服务器关闭了连接</translation>
    </message>
    <message>
        <source>the connection failed: %s</source>
        <translation>连接失败：%s</translation>
    </message>
    <message>
        <source>The server address must start with http:// or https:// and name a host: &apos;%s&apos;.</source>
        <translation>服务器地址必须以 http:// 或 https:// 开头并包含主机名：“%s”。</translation>
    </message>
    <message>
        <source>The server address has an invalid port: &apos;%s&apos;.</source>
        <translation>服务器地址中的端口无效：“%s”。</translation>
    </message>
    <message>
        <source>The environment variable %s is not set: it should hold the server&apos;s API key.</source>
        <translation>未设置环境变量 %s：它应包含服务器的 API 密钥。</translation>
    </message>
    <message>
        <source>The server timeout must be more than 0 seconds.</source>
        <translation>服务器超时必须大于 0 秒。</translation>
    </message>
    <message>
        <source>No-repeat n-gram size is not available with a server: set it to 0.</source>
        <translation>使用服务器时不支持禁止重复 n-gram 长度：请将其设为 0。</translation>
    </message>
    <message>
        <source>max new tokens must be less than the model&apos;s context window (%s tokens).</source>
        <translation>最大新词元数必须小于模型的上下文窗口（%s 个词元）。</translation>
    </message>
    <message>
        <source>server %s</source>
        <translation>服务器 %s</translation>
    </message>
    <message>
        <source>The server %s is reached over plain HTTP: your text leaves this computer unencrypted. Use an https:// address if the server offers one.</source>
        <translation>与服务器 %s 的连接使用普通 HTTP：你的文本会未经加密离开本机。如果服务器支持，请使用 https:// 地址。</translation>
    </message>
    <message>
        <source>There is no text to continue: the context is empty.</source>
        <translation>没有可续写的文本：上下文为空。</translation>
    </message>
    <message>
        <source>max new tokens must be between %s and %s.</source>
        <translation>最大新词元数必须在 %s 到 %s 之间。</translation>
    </message>
    <message>
        <source>temperature must be between %s and %s (0 means greedy).</source>
        <translation>温度必须在 %s 到 %s 之间（0 表示贪心解码）。</translation>
    </message>
    <message>
        <source>top-k must be 0 (off) or a positive number.</source>
        <translation>Top-k 必须为 0（关闭）或正数。</translation>
    </message>
    <message>
        <source>top-p must be greater than %s and at most %s.</source>
        <translation>Top-p 必须大于 %s 且不超过 %s。</translation>
    </message>
    <message>
        <source>repetition penalty must be greater than %s (1 means off).</source>
        <translation>重复惩罚必须大于 %s（1 表示关闭）。</translation>
    </message>
    <message>
        <source>no-repeat n-gram size must be 0 (off) or positive.</source>
        <translation>禁止重复 n-gram 长度必须为 0（关闭）或正数。</translation>
    </message>
    <message>
        <source>seed must be a non-negative integer.</source>
        <translation>随机种子必须是非负整数。</translation>
    </message>
    <message>
        <source>stop_at must be one of %s.</source>
        <translation>停止条件（stop_at）必须是以下之一：%s。</translation>
    </message>
    <message>
        <source>alternatives must be between %s and %s.</source>
        <translation>候选数必须在 %s 到 %s 之间。</translation>
    </message>
    <message>
        <source>stop sequences must not be empty strings.</source>
        <translation>停止序列不能为空字符串。</translation>
    </message>
    <message>
        <source>the model&apos;s window is too small for this many new tokens.</source>
        <translation>模型的上下文窗口太小，容纳不下这么多新词元。</translation>
    </message>
    <message>
        <source>The model produced invalid numbers (NaN); its weights may be broken.</source>
        <translation>模型算出了无效数值（NaN）；其权重可能已损坏。</translation>
    </message>
    <message>
        <source>Out of memory while generating. Try a shorter context, fewer new tokens, a smaller model, or the CPU.</source>
        <translation>生成时内存不足。请尝试缩短上下文、减少新词元数、换用更小的模型或改用 CPU。</translation>
    </message>
    <message>
        <source>The model failed while generating: %s</source>
        <translation>模型在生成时出错：%s</translation>
    </message>
    <message>
        <source>The style &apos;%s&apos; is already in this model; load the model again to change it.</source>
        <translation>风格“%s”已合并到此模型中；要更换风格，请重新加载模型。</translation>
    </message>
    <message>
        <source>The style &apos;%s&apos; was learned on %s, not on %s; load that model to use it.</source>
        <translation>风格“%s”是在 %s 上学习的，不是在 %s 上；请加载那个模型后再使用。</translation>
    </message>
    <message>
        <source>another model</source>
        <translation>另一个模型</translation>
    </message>
    <message>
        <source>The style &apos;%s&apos; does not fit the layers of %s.</source>
        <translation>风格“%s”与 %s 的层结构不匹配。</translation>
    </message>
    <message>
        <source>The style &apos;%s&apos; is too large to be an adapter.</source>
        <translation>风格“%s”过大，不可能是适配器。</translation>
    </message>
    <message>
        <source>Could not read the style &apos;%s&apos;: %s.</source>
        <translation>无法读取风格“%s”：%s。</translation>
    </message>
    <message>
        <source>The style &apos;%s&apos; holds weights that do not fit %s.</source>
        <translation>风格“%s”中的权重与 %s 不匹配。</translation>
    </message>
    <message>
        <source>The style &apos;%s&apos; does not fit %s: %s.</source>
        <translation>风格“%s”与 %s 不匹配：%s。</translation>
    </message>
    <message>
        <source>Only %s words of text: learning a style needs at least %s words (about four pages); add more of the writer&apos;s drafts.</source>
        <translation>文本只有 %s 个词：学习风格至少需要 %s 个词（约四页）；请添加更多作者的草稿。</translation>
    </message>
    <message>
        <source>%s does not exist.</source>
        <translation>%s 不存在。</translation>
    </message>
    <message>
        <source>More than %s files: choose a smaller folder.</source>
        <translation>文件超过 %s 个：请选择较小的文件夹。</translation>
    </message>
    <message>
        <source>No .txt or .md files were found in what was chosen.</source>
        <translation>所选内容中没有找到 .txt 或 .md 文件。</translation>
    </message>
    <message>
        <source>%s is not a .txt or .md file; only plain text can be learned from.</source>
        <translation>%s 不是 .txt 或 .md 文件；只能从纯文本学习。</translation>
    </message>
    <message>
        <source>%s is larger than %s MiB; split it or leave it out.</source>
        <translation>%s 超过 %s MiB；请拆分或不选它。</translation>
    </message>
    <message>
        <source>The files chosen add up to more than %s MiB of text; choose fewer.</source>
        <translation>所选文件的文本合计超过 %s MiB；请少选一些。</translation>
    </message>
    <message>
        <source>Could not read %s: %s.</source>
        <translation>无法读取 %s：%s。</translation>
    </message>
    <message>
        <source>%s is not UTF-8 text; save it as UTF-8 and try again.</source>
        <translation>%s 不是 UTF-8 文本；请另存为 UTF-8 后重试。</translation>
    </message>
    <message>
        <source>A style called &apos;%s&apos; already exists; choose another name.</source>
        <translation>已有名为“%s”的风格，请换一个名称。</translation>
    </message>
    <message>
        <source>Only %s words of text: learning a style needs more (at least a few pages); add more of the writer&apos;s drafts.</source>
        <translation>文本只有 %s 个词：学习风格需要更多文本（至少几页）；请添加更多作者的草稿。</translation>
    </message>
    <message>
        <source>The adapter is not a LoRA adapter.</source>
        <translation>该适配器不是 LoRA 适配器。</translation>
    </message>
    <message>
        <source>Could not save the style &apos;%s&apos;: %s.</source>
        <translation>无法保存风格“%s”：%s。</translation>
    </message>
    <message>
        <source>A style needs a name.</source>
        <translation>风格需要一个名称。</translation>
    </message>
    <message>
        <source>A style&apos;s name can be at most %s characters long.</source>
        <translation>风格名称最多 %s 个字符。</translation>
    </message>
    <message>
        <source>A style&apos;s name cannot start with a dot or contain any of %s.</source>
        <translation>风格名称不能以点开头，也不能包含以下任何字符：%s。</translation>
    </message>
    <message>
        <source>The style &apos;%s&apos; is not saved.</source>
        <translation>风格“%s”尚未保存。</translation>
    </message>
    <message>
        <source>This is not a valid style: %s.</source>
        <translation>这不是有效的风格：%s。</translation>
    </message>
    <message>
        <source>not a style file of this version</source>
        <translation>不是此版本的风格文件</translation>
    </message>
    <message>
        <source>its adapter description is incomplete</source>
        <translation>其适配器描述不完整</translation>
    </message>
    <message>
        <source>%s is too large to be a style file.</source>
        <translation>%s 过大，不可能是风格文件。</translation>
    </message>
    <message>
        <source>There is no style called &apos;%s&apos; (saved styles: %s).</source>
        <translation>没有名为“%s”的风格（已保存的风格：%s）。</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>尚无</translation>
    </message>
    <message>
        <source>The style&apos;s adapter weights are missing.</source>
        <translation>该风格缺少适配器权重。</translation>
    </message>
    <message>
        <source>Could not rename the style: %s.</source>
        <translation>无法重命名风格：%s。</translation>
    </message>
    <message>
        <source>Could not export the style to %s: %s.</source>
        <translation>无法将风格导出到 %s：%s。</translation>
    </message>
    <message>
        <source>%s is not an exported style.</source>
        <translation>%s 不是导出的风格文件。</translation>
    </message>
    <message>
        <source>%s is too large to be a style.</source>
        <translation>%s 过大，不可能是风格文件。</translation>
    </message>
    <message>
        <source>%s is not an exported style: %s.</source>
        <translation>%s 不是导出的风格文件：%s。</translation>
    </message>
    <message>
        <source>This &apos;%s&apos; model is loaded in fast CPU (int8) mode, which cannot learn; load it without fast CPU mode.</source>
        <translation>此“%s”模型以快速 CPU（int8）模式加载，该模式无法学习；请关闭快速 CPU 模式后重新加载。</translation>
    </message>
    <message>
        <source>Learning a style is not supported for &apos;%s&apos; models: GPT-2 and Llama-family models (such as SmolLM2) are.</source>
        <translation>“%s”模型不支持学习风格：支持 GPT-2 和 Llama 系列模型（如 SmolLM2）。</translation>
    </message>
    <message>
        <source>The disk is full: the training checkpoint could not be saved in %s. Free some space and train again to resume.</source>
        <translation>磁盘已满：无法在 %s 中保存训练检查点。请释放一些空间，然后再次训练以继续。</translation>
    </message>
    <message>
        <source>Could not save the training checkpoint in %s: %s.</source>
        <translation>无法在 %s 中保存训练检查点：%s。</translation>
    </message>
    <message>
        <source>The text is too short to make even one training sequence.</source>
        <translation>文本太短，连一个训练序列都无法组成。</translation>
    </message>
    <message>
        <source>Out of memory even when training on one sequence at a time: close other programs or choose a smaller model.</source>
        <translation>即使每次只训练一个序列，内存仍然不足：请关闭其他程序或选择更小的模型。</translation>
    </message>
    <message>
        <source>Learning stopped unexpectedly (the learning process ended with code %s); learning again resumes from the last checkpoint.</source>
        <translation>学习意外中止（学习进程的退出码为 %s）；再次学习会从上一个检查点继续。</translation>
    </message>
    <message>
        <source>Could not start learning: %s.</source>
        <translation>无法开始学习：%s。</translation>
    </message>
</context>
<context>
    <name>ExportLabelDialog</name>
    <message>
        <source>Export with AI Label</source>
        <translation>导出并附 AI 标注</translation>
    </message>
    <message>
        <source>{model} is replaced by the model&apos;s name.</source>
        <translation>{model} 会被替换为模型名称。</translation>
    </message>
    <message>
        <source>Label line:</source>
        <translation>标注文字：</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Preview:</source>
        <translation>预览：</translation>
    </message>
</context>
<context>
    <name>FindBar</name>
    <message>
        <source>Find</source>
        <translation>查找</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>上一个</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一个</translation>
    </message>
    <message>
        <source>Match case</source>
        <translation>区分大小写</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>关闭（Esc）</translation>
    </message>
    <message>
        <source>Not found</source>
        <translation>未找到</translation>
    </message>
</context>
<context>
    <name>FirstRun</name>
    <message>
        <source>Download %s? It is %s and needs an internet connection; the download can be cancelled and resumes later.</source>
        <translation>下载 %s？大小 %s，需要联网；下载可以取消，之后会从中断处继续。</translation>
    </message>
    <message>
        <source>Download %s? It needs an internet connection.</source>
        <translation>下载 %s？需要联网。</translation>
    </message>
    <message>
        <source>Download Model</source>
        <translation>下载模型</translation>
    </message>
    <message>
        <source>Download Chinese GPT-2 (%s)</source>
        <translation>下载中文 GPT-2（%s）</translation>
    </message>
    <message>
        <source>Download (%s)</source>
        <translation>下载（%s）</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Use a GGUF file…</source>
        <translation>使用 GGUF 文件…</translation>
    </message>
    <message>
        <source>Choose model folder…</source>
        <translation>选择模型文件夹…</translation>
    </message>
    <message>
        <source>Models…</source>
        <translation>模型…</translation>
    </message>
    <message>
        <source>You can keep writing. To continue text, download it or use a model you have: a GGUF file or a model folder.</source>
        <translation>你可以继续写作。要使用续写，请下载该模型，或使用已有的模型：GGUF 文件或模型文件夹。</translation>
    </message>
    <message>
        <source>You can keep writing; the buttons offer other models.</source>
        <translation>你可以继续写作；可通过右侧按钮改用其他模型。</translation>
    </message>
    <message>
        <source>Preparing %s for first use (once): finishing…</source>
        <translation>正在为首次使用准备 %s（仅此一次）：即将完成…</translation>
    </message>
    <message>
        <source>Preparing %s for first use (once): %d%%</source>
        <translation>正在为首次使用准备 %s（仅此一次）：%d%%</translation>
    </message>
</context>
<context>
    <name>GenerationWorker</name>
    <message>
        <source>Could not load model &apos;%s&apos;: %s</source>
        <translation>无法加载模型“%s”：%s</translation>
    </message>
    <message>
        <source>The other candidates could not be made: %s</source>
        <translation>无法生成其他候选：%s</translation>
    </message>
    <message>
        <source>The server at %s sent %d of the %d candidates asked for: it ignores the Candidates setting. Set Candidates to 1 for this server.</source>
        <translation>服务器 %s 只返回了 %d 个候选（共请求 %d 个）：它忽略候选数设置。请为此服务器把候选数设为 1。</translation>
    </message>
    <message>
        <source>The server at %s loses characters that span several tokens when it sends token probabilities, so the probability view is off for it.</source>
        <translation>服务器 %s 在发送词元概率时会丢失跨越多个词元的字符，因此已对该服务器关闭概率视图。</translation>
    </message>
    <message>
        <source>No model is loaded yet. Choose a model in Settings.</source>
        <translation>尚未加载模型。请在设置中选择模型。</translation>
    </message>
    <message>
        <source>The GPU ran out of memory: the model now runs on the CPU. Continue again to retry there.</source>
        <translation>GPU 显存不足：模型已改在 CPU 上运行。请再次续写，在 CPU 上重试。</translation>
    </message>
    <message>
        <source>Generation failed unexpectedly: %s</source>
        <translation>生成意外失败：%s</translation>
    </message>
</context>
<context>
    <name>LabelledExport</name>
    <message>
        <source>Export with AI Label</source>
        <translation>导出并附 AI 标注</translation>
    </message>
    <message>
        <source>Markdown (*.md);;HTML (*.html);;Text (*.txt)</source>
        <translation>Markdown 文件 (*.md);;HTML 文件 (*.html);;文本文件 (*.txt)</translation>
    </message>
    <message>
        <source>Exported %s</source>
        <translation>已导出 %s</translation>
    </message>
</context>
<context>
    <name>LearnStyleDialog</name>
    <message>
        <source>Learn a Style</source>
        <translation>学习风格</translation>
    </message>
    <message>
        <source>My style</source>
        <translation>我的风格</translation>
    </message>
    <message>
        <source>This document</source>
        <translation>当前文档</translation>
    </message>
    <message>
        <source>Files or a folder of drafts (.txt, .md)</source>
        <translation>文件或草稿文件夹（.txt、.md）</translation>
    </message>
    <message>
        <source>Add Files…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <source>Add Folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <source>Time limit:</source>
        <translation>时间上限：</translation>
    </message>
    <message>
        <source>Learn from:</source>
        <translation>学习来源：</translation>
    </message>
    <message>
        <source>Learn</source>
        <translation>开始学习</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Choose Drafts</source>
        <translation>选择草稿</translation>
    </message>
    <message>
        <source>Text (*.txt *.md *.markdown)</source>
        <translation>文本 (*.txt *.md *.markdown)</translation>
    </message>
    <message>
        <source>Choose a Folder of Drafts</source>
        <translation>选择草稿文件夹</translation>
    </message>
    <message>
        <source>this document</source>
        <translation>当前文档</translation>
    </message>
    <message>
        <source>Add files or a folder of the writer&apos;s drafts.</source>
        <translation>请添加作者草稿的文件或文件夹。</translation>
    </message>
    <message>
        <source>Counting words…</source>
        <translation>正在统计字数…</translation>
    </message>
    <message>
        <source>%s words: learning a style needs at least %s words.</source>
        <translation>%s 个词：学习风格至少需要 %s 个词。</translation>
    </message>
    <message>
        <source>%d file(s), %s words: about %d minute(s) on this machine.</source>
        <translation>%d 个文件，%s 个词：在本机上约需 %d 分钟。</translation>
    </message>
    <message>
        <source>Learning a style needs a local model; this one runs on a server.</source>
        <translation>学习风格需要本地模型；当前模型运行在服务器上。</translation>
    </message>
    <message>
        <source>A style called “%s” already exists; choose another name.</source>
        <translation>已有名为“%s”的风格，请换一个名称。</translation>
    </message>
    <message>
        <source>Loading the model for training…</source>
        <translation>正在加载用于训练的模型…</translation>
    </message>
    <message>
        <source>Resuming…</source>
        <translation>正在继续…</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Pausing after this step…</source>
        <translation>将在这一步后暂停…</translation>
    </message>
    <message>
        <source>Stopping after this step; a checkpoint is kept…</source>
        <translation>将在这一步后停止，检查点会保留…</translation>
    </message>
    <message>
        <source>Step %d of %d · loss %s · about %s left</source>
        <translation>第 %d 步，共 %d 步 · 损失 %s · 约剩 %s</translation>
    </message>
    <message>
        <source>Paused at step %d of %d (a checkpoint is kept). Resume goes on from here.</source>
        <translation>已在第 %d 步暂停，共 %d 步（检查点已保留）。点“继续”从这里接着训练。</translation>
    </message>
    <message>
        <source>resumed from a checkpoint</source>
        <translation>已从检查点继续</translation>
    </message>
    <message>
        <source>out of memory: training on fewer sequences at a time</source>
        <translation>内存不足：每次训练更少的序列</translation>
    </message>
    <message>
        <source>Evaluating: held-out text and three samples…</source>
        <translation>正在评估：留出文本和三个示例…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Stopped at step %d. Learn again with the same name and text to resume.</source>
        <translation>已在第 %d 步停止。用相同的名称和文本再次学习即可继续。</translation>
    </message>
    <message>
        <source>Learned “%s” in %s.</source>
        <translation>已学会“%s”，用时 %s。</translation>
    </message>
    <message>
        <source>Held-out perplexity (lower is better): %.2f without the style, %.2f with it (%+.0f%%).</source>
        <translation>留出文本困惑度（越低越好）：不用风格 %.2f，使用风格 %.2f（%+.0f%%）。</translation>
    </message>
    <message>
        <source>Prompt: %s</source>
        <translation>提示：%s</translation>
    </message>
    <message>
        <source>Without the style: %s</source>
        <translation>不用风格：%s</translation>
    </message>
    <message>
        <source>With the style: %s</source>
        <translation>使用风格：%s</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;New</source>
        <translation>新建(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Save &amp;As…</source>
        <translation>另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>Cu&amp;t</source>
        <translation>剪切(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>粘贴(&amp;P)</translation>
    </message>
    <message>
        <source>Select &amp;All</source>
        <translation>全选(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Find…</source>
        <translation>查找(&amp;F)…</translation>
    </message>
    <message>
        <source>Find &amp;Next</source>
        <translation>查找下一个(&amp;N)</translation>
    </message>
    <message>
        <source>Find Pre&amp;vious</source>
        <translation>查找上一个(&amp;V)</translation>
    </message>
    <message>
        <source>Zoom &amp;In</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <source>Zoom &amp;Out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Reset Zoom</source>
        <translation>重置缩放(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Continue</source>
        <translation>续写(&amp;C)</translation>
    </message>
    <message>
        <source>Continue the selected text, or the text before the cursor (Ctrl+Enter)</source>
        <translation>续写选中的文本，或光标之前的文本（Ctrl+Enter）</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>停止(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Accept</source>
        <translation>接受(&amp;A)</translation>
    </message>
    <message>
        <source>Keep the suggestion (Tab or Enter)</source>
        <translation>保留建议（Tab 或 Enter）</translation>
    </message>
    <message>
        <source>&amp;Reject</source>
        <translation>拒绝(&amp;R)</translation>
    </message>
    <message>
        <source>Stop generating and keep the text so far (Esc)</source>
        <translation>停止生成，保留已写出的文字（Esc）</translation>
    </message>
    <message>
        <source>Remove the suggestion (Esc; while generating, a second Esc)</source>
        <translation>移除建议（Esc；生成过程中按第二次 Esc）</translation>
    </message>
    <message>
        <source>Re&amp;generate</source>
        <translation>重新生成(&amp;G)</translation>
    </message>
    <message>
        <source>Reject the suggestion and write another (Ctrl+R)</source>
        <translation>拒绝此建议并重新生成（Ctrl+R）</translation>
    </message>
    <message>
        <source>&amp;Next Candidate</source>
        <translation>下一个候选(&amp;N)</translation>
    </message>
    <message>
        <source>Show the next candidate (Alt+])</source>
        <translation>显示下一个候选（Alt+]）</translation>
    </message>
    <message>
        <source>&amp;Previous Candidate</source>
        <translation>上一个候选(&amp;P)</translation>
    </message>
    <message>
        <source>Show the previous candidate (Alt+[)</source>
        <translation>显示上一个候选（Alt+[）</translation>
    </message>
    <message>
        <source>Show &amp;Probabilities</source>
        <translation>显示概率(&amp;P)</translation>
    </message>
    <message>
        <source>Colour generated text by how likely the model found it; hover for alternatives</source>
        <translation>按模型给出的概率为生成的文本着色；鼠标悬停可查看其他候选词</translation>
    </message>
    <message>
        <source>Show &amp;AI-Written Text</source>
        <translation>显示 AI 撰写的文本(&amp;A)</translation>
    </message>
    <message>
        <source>Highlight the text the model wrote</source>
        <translation>突出显示由模型撰写的文本</translation>
    </message>
    <message>
        <source>&amp;Export with AI Label…</source>
        <translation>导出并附 AI 标注(&amp;E)…</translation>
    </message>
    <message>
        <source>Write a copy that says which text is AI-generated</source>
        <translation>另存一份副本，注明哪些文本由 AI 生成</translation>
    </message>
    <message>
        <source>All C&amp;andidates…</source>
        <translation>全部候选(&amp;A)…</translation>
    </message>
    <message>
        <source>See every candidate in full and pick one</source>
        <translation>查看每个候选的全文并选择其一</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>模型(&amp;M)…</translation>
    </message>
    <message>
        <source>Choose, download or add a model</source>
        <translation>选择、下载或添加模型</translation>
    </message>
    <message>
        <source>&amp;About aigc-desktop</source>
        <translation>关于 aigc-desktop(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Keyboard Shortcuts</source>
        <translation>键盘快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Font…</source>
        <translation>字体(&amp;F)…</translation>
    </message>
    <message>
        <source>&amp;Distraction-Free Mode</source>
        <translation>专注模式(&amp;D)</translation>
    </message>
    <message>
        <source>Only your text, full screen (F11 or Esc to leave)</source>
        <translation>全屏只显示你的文本（按 F11 或 Esc 退出）</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>接受</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Line Spacing</source>
        <translation>行距(&amp;L)</translation>
    </message>
    <message>
        <source>Text &amp;Width</source>
        <translation>文本宽度(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Presets</source>
        <translation>预设(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>No recent files</source>
        <translation>没有最近打开的文件</translation>
    </message>
    <message>
        <source>Accept the suggestion</source>
        <translation>接受建议</translation>
    </message>
    <message>
        <source>Reject the suggestion</source>
        <translation>拒绝建议</translation>
    </message>
    <message>
        <source>Accept the next word</source>
        <translation>接受下一个词</translation>
    </message>
    <message>
        <source>Accept the next line</source>
        <translation>接受下一行</translation>
    </message>
    <message>
        <source>Stop generating, keeping the text</source>
        <translation>停止生成并保留文字</translation>
    </message>
    <message>
        <source>Leave distraction-free mode</source>
        <translation>退出专注模式</translation>
    </message>
    <message numerus="yes">
        <source>%n word(s)</source>
        <translation>
            <numerusform>%n 词</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n character(s) without spaces</source>
        <translation>
            <numerusform>%n 字符（不含空格）</numerusform>
        </translation>
    </message>
    <message>
        <source>Characters are counted without spaces and line breaks; each Chinese or Japanese character counts as one word</source>
        <translation>字符数不含空格和换行；每个汉字或日文字符计为一个词</translation>
    </message>
    <message>
        <source>&lt;p&gt;&lt;a href=&quot;%s&quot;&gt;Open the folder with the full licence texts&lt;/a&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;a href=&quot;%s&quot;&gt;打开包含完整许可证文本的文件夹&lt;/a&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <source>About aigc-desktop</source>
        <translation>关于 aigc-desktop</translation>
    </message>
    <message>
        <source>&lt;b&gt;aigc-desktop %s&lt;/b&gt;&lt;p&gt;A private, offline writing assistant that continues your text with a local language model.&lt;/p&gt;&lt;p&gt;aigc-desktop is free software under the MIT licence. It is built on PySide6 (Qt, LGPLv3), PyTorch (BSD-3-Clause), Hugging Face transformers, tokenizers, safetensors and huggingface_hub (Apache 2.0), qasync (BSD-2-Clause), gguf (MIT) and numpy (BSD-3-Clause). Licences:&lt;/p&gt;</source>
        <translation>&lt;b&gt;aigc-desktop %s&lt;/b&gt;&lt;p&gt;一款注重隐私、可离线使用的写作助手，用本地语言模型续写你的文字。&lt;/p&gt;&lt;p&gt;aigc-desktop 是采用 MIT 许可证的自由软件，基于 PySide6（Qt，LGPLv3）、PyTorch（BSD-3-Clause）、Hugging Face transformers、tokenizers、safetensors 和 huggingface_hub（Apache 2.0）、qasync（BSD-2-Clause）、gguf（MIT）以及 numpy（BSD-3-Clause）构建。许可证：&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Precise</source>
        <translation>精确</translation>
    </message>
    <message>
        <source>Balanced</source>
        <translation>均衡</translation>
    </message>
    <message>
        <source>Creative</source>
        <translation>创意</translation>
    </message>
    <message>
        <source>This could not be opened: %s</source>
        <translation>无法打开：%s</translation>
    </message>
</context>
<context>
    <name>MessageBanner</name>
    <message>
        <source>Dismiss</source>
        <translation>关闭</translation>
    </message>
</context>
<context>
    <name>ModelManagerDialog</name>
    <message>
        <source>English</source>
        <translation>英文</translation>
    </message>
    <message>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <source>GPT-2 Chinese (102M)</source>
        <translation>GPT-2 中文版 (102M)</translation>
    </message>
    <message>
        <source>The default: quick on any laptop CPU, good for drafting English prose.</source>
        <translation>默认模型：在任何笔记本电脑的 CPU 上都很快，适合起草英文文章。</translation>
    </message>
    <message>
        <source>A smaller, faster GPT-2 for slow machines; a little less fluent.</source>
        <translation>更小、更快的 GPT-2，适合配置较低的电脑；流畅度稍逊。</translation>
    </message>
    <message>
        <source>More coherent English; comfortable on a recent CPU or any GPU.</source>
        <translation>英文更连贯；在较新的 CPU 或任意 GPU 上都能流畅运行。</translation>
    </message>
    <message>
        <source>Noticeably better English; a GPU or fast CPU mode is recommended.</source>
        <translation>英文明显更好；建议使用 GPU 或快速 CPU 模式。</translation>
    </message>
    <message>
        <source>The largest GPT-2; best with a GPU with 8 GB or more.</source>
        <translation>最大的 GPT-2；最好搭配 8 GB 或以上显存的 GPU。</translation>
    </message>
    <message>
        <source>中文 GPT-2 (CLUECorpusSmall), with a BERT character vocabulary: continues Chinese text.</source>
        <translation>中文 GPT-2（CLUECorpusSmall），使用 BERT 字级词表：用于续写中文文本。</translation>
    </message>
    <message>
        <source>%.0f s</source>
        <translation>%.0f 秒</translation>
    </message>
    <message>
        <source>%.0f min %.0f s</source>
        <translation>%.0f 分 %.0f 秒</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>下载</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Use this model</source>
        <translation>使用此模型</translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation>取消下载</translation>
    </message>
    <message>
        <source>Use a local folder…</source>
        <translation>使用本地文件夹…</translation>
    </message>
    <message>
        <source>Use a GGUF file…</source>
        <translation>使用 GGUF 文件…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Downloaded</source>
        <translation>已下载</translation>
    </message>
    <message>
        <source>Not downloaded</source>
        <translation>未下载</translation>
    </message>
    <message>
        <source> · in use</source>
        <translation> · 使用中</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <source>Choose a GGUF model file</source>
        <translation>选择 GGUF 模型文件</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>%s of %s · %s · %s left</source>
        <translation>%s / %s · %s · 剩余 %s</translation>
    </message>
    <message>
        <source>%s is downloaded.</source>
        <translation>%s 已下载完成。</translation>
    </message>
    <message>
        <source>Download cancelled; it resumes where it stopped next time.</source>
        <translation>下载已取消；下次将从中断处继续。</translation>
    </message>
</context>
<context>
    <name>ModelSession</name>
    <message>
        <source>This text is mostly Chinese, but %s writes English. A Chinese GPT-2 continues Chinese text far better.</source>
        <translation>这段文本主要是中文，但 %s 只会写英文。中文 GPT-2 续写中文的效果要好得多。</translation>
    </message>
    <message>
        <source>Use Chinese GPT-2</source>
        <translation>使用中文 GPT-2</translation>
    </message>
    <message>
        <source>Choose a GGUF model file</source>
        <translation>选择 GGUF 模型文件</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
</context>
<context>
    <name>PresetsMenu</name>
    <message>
        <source>&amp;Save Current Settings as Preset…</source>
        <translation>将当前设置保存为预设(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Rename Preset…</source>
        <translation>重命名预设(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Delete Preset</source>
        <translation>删除预设(&amp;D)</translation>
    </message>
    <message>
        <source>Sampling preset</source>
        <translation>采样预设</translation>
    </message>
    <message>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <source>Save Preset</source>
        <translation>保存预设</translation>
    </message>
    <message>
        <source>Name of the new preset:</source>
        <translation>新预设的名称：</translation>
    </message>
    <message>
        <source>“%s” is a built-in preset; choose another name.</source>
        <translation>“%s”是内置预设，请换一个名称。</translation>
    </message>
    <message>
        <source>Rename Preset</source>
        <translation>重命名预设</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <source>A preset called “%s” already exists.</source>
        <translation>已存在名为“%s”的预设。</translation>
    </message>
</context>
<context>
    <name>ProbabilityView</name>
    <message>
        <source>instead</source>
        <translation>替换为</translation>
    </message>
    <message>
        <source>Click to use another word and write on from there.</source>
        <translation>点击可换用其他词，并从那里接着写。</translation>
    </message>
</context>
<context>
    <name>RecoveryOffer</name>
    <message>
        <source>%d crash-recovery files could not be read and were ignored.</source>
        <translation>有 %d 个崩溃恢复文件无法读取，已忽略。</translation>
    </message>
    <message>
        <source>aigc-desktop did not close normally. Unsaved text of “%s” (%s) was recovered.</source>
        <translation>aigc-desktop 上次未正常关闭。已恢复“%s”（%s）中未保存的文本。</translation>
    </message>
    <message>
        <source>%d more after this one.</source>
        <translation>此后还有 %d 份。</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>丢弃</translation>
    </message>
    <message>
        <source>The recovered text of “%s” is no longer there: another window may have restored it.</source>
        <translation>“%s”的恢复文本已不存在：可能已被另一个窗口恢复。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Generation Settings</source>
        <translation>生成设置</translation>
    </message>
    <message>
        <source>A Hugging Face model id, a folder with a saved model, or a GGUF file</source>
        <translation>Hugging Face 模型 ID、存放已保存模型的文件夹，或 GGUF 文件</translation>
    </message>
    <message>
        <source>Browse folder…</source>
        <translation>浏览文件夹…</translation>
    </message>
    <message>
        <source>GGUF file…</source>
        <translation>GGUF 文件…</translation>
    </message>
    <message>
        <source>Automatic (GPU if available)</source>
        <translation>自动（有 GPU 时使用 GPU）</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>NVIDIA GPU (CUDA)</source>
        <translation>NVIDIA 显卡 (CUDA)</translation>
    </message>
    <message>
        <source>Apple GPU (MPS)</source>
        <translation>Apple 显卡 (MPS)</translation>
    </message>
    <message>
        <source>Detected when a model has been loaded.</source>
        <translation>加载模型后检测。</translation>
    </message>
    <message>
        <source>Fast mode on the CPU (8-bit weights and activations in blocks)</source>
        <translation>CPU 快速模式（按块 8 位量化权重和激活）</translation>
    </message>
    <message>
        <source>Measured with a GPT-2-sized model on a 2-core CPU: about 5 times the decoding speed of transformers and about twice that of the exact mode; 0.7 to 1.1 times llama.cpp&apos;s 8-bit mode. On SmolLM2-135M its perplexity was 0.5% above the exact weights&apos; and its top choice agreed with theirs 98% of the time (llama.cpp&apos;s 8-bit mode: 97%). Off: the exact fp32 weights. README → Performance has the figures.</source>
        <translation>在 2 核 CPU 上用 GPT-2 大小的模型实测：解码速度约为 transformers 的 5 倍、精确模式的 2 倍，为 llama.cpp 8 位模式的 0.7 到 1.1 倍。在 SmolLM2-135M 上，其困惑度比精确权重高 0.5%，首选词与之相同的比例为 98%（llama.cpp 8 位模式：97%）。关闭时使用精确的 fp32 权重。具体数据见 README 的 Performance 一节。</translation>
    </message>
    <message>
        <source>0 = always the most likely word</source>
        <translation>0 = 总是选择可能性最大的词</translation>
    </message>
    <message>
        <source>0 = no limit</source>
        <translation>0 = 不限制</translation>
    </message>
    <message>
        <source>1 = no limit</source>
        <translation>1 = 不限制</translation>
    </message>
    <message>
        <source>1 = off; higher values repeat less</source>
        <translation>1 = 关闭；值越大，重复越少</translation>
    </message>
    <message>
        <source>Off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Never repeat a run of this many tokens from the text; Off allows any repeat. Servers do not offer it: it is ignored there.</source>
        <translation>不重复文中任何这么长的词元序列；“关闭”表示允许重复。推理服务器不提供此功能，使用服务器时忽略。</translation>
    </message>
    <message>
        <source>Random</source>
        <translation>随机</translation>
    </message>
    <message>
        <source>The same seed and text give the same continuation</source>
        <translation>相同的种子和文本会得到相同的续写</translation>
    </message>
    <message>
        <source>Written together in one run; cycle with Alt+] and Alt+[</source>
        <translation>一次运行同时生成；用 Alt+] 和 Alt+[ 切换</translation>
    </message>
    <message>
        <source>Suggest while I type, after a pause of</source>
        <translation>输入时自动建议，停顿</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> 毫秒</translation>
    </message>
    <message>
        <source> tokens</source>
        <translation> 个词元</translation>
    </message>
    <message>
        <source>Up to the maximum number of tokens</source>
        <translation>直到达到最大词元数</translation>
    </message>
    <message>
        <source>To the end of the sentence</source>
        <translation>到句末为止</translation>
    </message>
    <message>
        <source>To the end of the paragraph</source>
        <translation>到段末为止</translation>
    </message>
    <message>
        <source>e.g. THE END | \n\n</source>
        <translation>例如 THE END | \n\n</translation>
    </message>
    <message>
        <source>Stop when any of these is written; separate them with |, write a line break as \n</source>
        <translation>写出其中任意一项时停止；多项之间用 | 分隔，换行写作 \n</translation>
    </message>
    <message>
        <source>System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Takes effect after restarting aigc-desktop.</source>
        <translation>重启 aigc-desktop 后生效。</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <source>Detected:</source>
        <translation>检测结果：</translation>
    </message>
    <message>
        <source>Max new tokens:</source>
        <translation>最大新词元数：</translation>
    </message>
    <message>
        <source>Temperature:</source>
        <translation>温度：</translation>
    </message>
    <message>
        <source>Top-k:</source>
        <translation>Top-k 采样：</translation>
    </message>
    <message>
        <source>Top-p:</source>
        <translation>Top-p 采样：</translation>
    </message>
    <message>
        <source>Repetition penalty:</source>
        <translation>重复惩罚：</translation>
    </message>
    <message>
        <source>No repeated run of:</source>
        <translation>禁止重复的长度：</translation>
    </message>
    <message>
        <source>Candidates:</source>
        <translation>候选数：</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <source>Length:</source>
        <translation>长度：</translation>
    </message>
    <message>
        <source>Stop at:</source>
        <translation>停止条件：</translation>
    </message>
    <message>
        <source>While typing:</source>
        <translation>输入时：</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>界面语言：</translation>
    </message>
    <message>
        <source>The seed must be a whole number (digits only), or blank for random.</source>
        <translation>种子必须是整数（只能包含数字），留空则随机。</translation>
    </message>
    <message>
        <source>The seed is too large.</source>
        <translation>种子太大。</translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>选择模型文件夹</translation>
    </message>
    <message>
        <source>Choose a GGUF model file</source>
        <translation>选择 GGUF 模型文件</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Use an inference server instead of a local model</source>
        <translation>使用推理服务器代替本地模型</translation>
    </message>
    <message>
        <source>A server with the OpenAI-compatible completions API: vLLM, llama.cpp&apos;s server, TGI or Ollama</source>
        <translation>提供 OpenAI 兼容补全接口的服务器：vLLM、llama.cpp 服务器、TGI 或 Ollama</translation>
    </message>
    <message>
        <source>The server&apos;s first model</source>
        <translation>服务器上的第一个模型</translation>
    </message>
    <message>
        <source>List models</source>
        <translation>列出模型</translation>
    </message>
    <message>
        <source>(a key is stored)</source>
        <translation>（已保存密钥）</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Kept in the system keyring.</source>
        <translation>保存在系统密钥环中。</translation>
    </message>
    <message>
        <source>No system keyring here: the key is kept until you quit.</source>
        <translation>此处没有系统密钥环：密钥仅保留到退出程序。</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Server:</source>
        <translation>服务器：</translation>
    </message>
    <message>
        <source>Server address:</source>
        <translation>服务器地址：</translation>
    </message>
    <message>
        <source>Server model:</source>
        <translation>服务器模型：</translation>
    </message>
    <message>
        <source>API key:</source>
        <translation>API 密钥：</translation>
    </message>
    <message>
        <source>Request timeout:</source>
        <translation>请求超时：</translation>
    </message>
    <message>
        <source>Asking %s…</source>
        <translation>正在询问 %s…</translation>
    </message>
    <message>
        <source>%d models on the server.</source>
        <translation>服务器上有 %d 个模型。</translation>
    </message>
    <message>
        <source>The server does not list its models; type the name.</source>
        <translation>服务器未列出其模型，请输入模型名称。</translation>
    </message>
</context>
<context>
    <name>ShortcutsDialog</name>
    <message>
        <source>Keyboard Shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>Command</source>
        <translation>命令</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
</context>
<context>
    <name>StyleControls</name>
    <message>
        <source>Writing style learned from your drafts</source>
        <translation>从你的草稿中学到的写作风格</translation>
    </message>
    <message>
        <source>&amp;Learn a Style…</source>
        <translation>学习风格(&amp;L)…</translation>
    </message>
    <message>
        <source>St&amp;yles</source>
        <translation>风格(&amp;Y)</translation>
    </message>
    <message>
        <source>&amp;Rename Style…</source>
        <translation>重命名风格(&amp;R)…</translation>
    </message>
    <message>
        <source>&amp;Delete Style</source>
        <translation>删除风格(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Export Style…</source>
        <translation>导出风格(&amp;E)…</translation>
    </message>
    <message>
        <source>&amp;Import Style…</source>
        <translation>导入风格(&amp;I)…</translation>
    </message>
    <message>
        <source>No style</source>
        <translation>无风格</translation>
    </message>
    <message>
        <source>Learned on %s from %s words</source>
        <translation>基于 %s 从 %s 个词学习</translation>
    </message>
    <message>
        <source>Rename Style</source>
        <translation>重命名风格</translation>
    </message>
    <message>
        <source>New name:</source>
        <translation>新名称：</translation>
    </message>
    <message>
        <source>Delete Style</source>
        <translation>删除风格</translation>
    </message>
    <message>
        <source>Delete the style “%s”? This cannot be undone.</source>
        <translation>删除风格“%s”？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Export Style</source>
        <translation>导出风格</translation>
    </message>
    <message>
        <source>Styles (*%s)</source>
        <translation>风格 (*%s)</translation>
    </message>
    <message>
        <source>Style exported to %s</source>
        <translation>风格已导出到 %s</translation>
    </message>
    <message>
        <source>Import Style</source>
        <translation>导入风格</translation>
    </message>
    <message>
        <source>Style “%s” imported.</source>
        <translation>已导入风格“%s”。</translation>
    </message>
    <message>
        <source>Style “%s” learned: pick it next to the presets to write with it.</source>
        <translation>已学会风格“%s”：在预设旁边选择它即可用它写作。</translation>
    </message>
</context>
<context>
    <name>ViewOptions</name>
    <message>
        <source>Follow the System</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Window Width</source>
        <translation>与窗口同宽</translation>
    </message>
    <message>
        <source>%d Characters</source>
        <translation>%d 个字符</translation>
    </message>
    <message>
        <source>Editor Font</source>
        <translation>编辑器字体</translation>
    </message>
</context>
<context>
    <name>WindowStatusBar</name>
    <message>
        <source>No model</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <source>Your text goes to this inference server when you continue</source>
        <translation>续写时，您的文本会发送到这台推理服务器</translation>
    </message>
    <message>
        <source>Encoding and line endings used when saving</source>
        <translation>保存时使用的编码和换行符</translation>
    </message>
    <message>
        <source>Loading model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>Preparing %s for its first use: this takes about a minute, once; later starts take seconds.</source>
        <translation>正在为首次使用准备 %s：只需进行一次，约一分钟；以后启动只需几秒。</translation>
    </message>
    <message>
        <source>Loading %s…</source>
        <translation>正在加载 %s…</translation>
    </message>
    <message>
        <source>⇄ text is sent to %s</source>
        <translation>⇄ 文本将发送到 %s</translation>
    </message>
    <message>
        <source>Context window: %d tokens</source>
        <translation>上下文窗口：%d 个词元</translation>
    </message>
    <message>
        <source>Model ready (%.1f s)</source>
        <translation>模型已就绪（%.1f 秒）</translation>
    </message>
    <message>
        <source>No model yet</source>
        <translation>尚无模型</translation>
    </message>
    <message>
        <source>Generating…</source>
        <translation>正在生成…</translation>
    </message>
    <message>
        <source>Tab ✓ · Esc ✗</source>
        <translation>Tab ✓ · Esc ✗</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>%.1f tokens/s</source>
        <translation>%.1f 词元/秒</translation>
    </message>
    <message>
        <source>context %d/%d tokens</source>
        <translation>上下文 %d/%d 词元</translation>
    </message>
    <message>
        <source>%d/%d</source>
        <translation>%d/%d</translation>
    </message>
    <message>
        <source>Candidate %d of %d: Alt+] next, Alt+[ previous</source>
        <translation>第 %d 个候选，共 %d 个：Alt+] 下一个，Alt+[ 上一个</translation>
    </message>
    <message>
        <source>making candidate 2…</source>
        <translation>正在生成候选 2…</translation>
    </message>
    <message>
        <source>making candidates 2–%d…</source>
        <translation>正在生成候选 2–%d…</translation>
    </message>
    <message>
        <source>The other candidates are made after the first has streamed, so it streams at full speed; Alt+] works once they are ready.</source>
        <translation>第一个候选流式输出完毕后才生成其他候选，因此它能全速输出；其他候选准备好后即可用 Alt+] 切换。</translation>
    </message>
    <message>
        <source>AI %d%%</source>
        <translation>AI 占 %d%%</translation>
    </message>
    <message>
        <source>Share of the document written by the model</source>
        <translation>文档中由模型撰写的比例</translation>
    </message>
    <message>
        <source>How likely the model found each piece of text:</source>
        <translation>模型认为每段文本出现的可能性：</translation>
    </message>
</context>
</TS>
