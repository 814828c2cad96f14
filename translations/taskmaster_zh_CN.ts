<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ConnectWorkerDialog</name>
    <message>
        <source>Connect a worker</source>
        <translation>连接工作进程</translation>
    </message>
    <message>
        <source>Copy the key file to the worker&apos;s machine (readable by its user only), then run this there. Replace the host with this machine&apos;s name or address as the worker sees it.</source>
        <translation>把密钥文件复制到工作进程所在的机器（仅限其用户可读），然后在那里运行下面的命令。请把主机替换为工作进程所见的本机名称或地址。</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>Copy the command line to the clipboard.</source>
        <translation>把命令行复制到剪贴板。</translation>
    </message>
    <message>
        <source>&amp;Listen on every interface</source>
        <translation>在所有网络接口上监听(&amp;L)</translation>
    </message>
    <message>
        <source>Listen again on all of this machine&apos;s addresses, so that other machines can connect.</source>
        <translation>在本机的所有地址上重新监听，让其他机器可以连接。</translation>
    </message>
    <message>
        <source>This master listens on %1, this machine only: a worker on another machine cannot reach it.</source>
        <translation>此主控端在 %1 上监听，仅限本机：其他机器上的工作进程无法连接到它。</translation>
    </message>
    <message>
        <source>Copied.</source>
        <translation>已复制。</translation>
    </message>
</context>
<context>
    <name>EnqueueDialog</name>
    <message>
        <source>Enqueue tasks</source>
        <translation>任务入队</translation>
    </message>
    <message>
        <source>The task&apos;s arguments as any JSON value, for example 7 or {&quot;ms&quot;: 500}.</source>
        <translation>任务参数，可以是任意 JSON 值，例如 7 或 {&quot;ms&quot;: 500}。</translation>
    </message>
    <message>
        <source>How many copies of this task to enqueue.</source>
        <translation>要入队的此任务副本数量。</translation>
    </message>
    <message>
        <source>Higher priorities run first.</source>
        <translation>优先级越高越先运行。</translation>
    </message>
    <message>
        <source> ms</source>
        <translation> 毫秒</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>How long one attempt may run; 0 for no limit.</source>
        <translation>单次尝试可运行的时长；0 表示不限制。</translation>
    </message>
    <message>
        <source>How many times the task is tried before it fails.</source>
        <translation>任务判定失败前的最多尝试次数。</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>类型(&amp;K)：</translation>
    </message>
    <message>
        <source>&amp;Args (JSON):</source>
        <translation>参数（JSON）(&amp;A)：</translation>
    </message>
    <message>
        <source>&amp;Count:</source>
        <translation>数量(&amp;C)：</translation>
    </message>
    <message>
        <source>&amp;Priority:</source>
        <translation>优先级(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Timeout:</source>
        <translation>超时(&amp;T)：</translation>
    </message>
    <message>
        <source>Max &amp;attempts:</source>
        <translation>最多尝试次数(&amp;A)：</translation>
    </message>
    <message>
        <source>&amp;Demo</source>
        <translation>演示(&amp;D)</translation>
    </message>
    <message>
        <source>Args are not valid JSON: %1</source>
        <translation>参数不是有效的 JSON：%1</translation>
    </message>
    <message>
        <source>The task kind: the built-in kinds and those the connected workers run are listed; any name is accepted, and its tasks wait for a worker that runs it.</source>
        <translation>任务类型：列出了内置类型和已连接工作节点支持的类型；也可以输入任意名称，这类任务会等待能运行它的工作节点。</translation>
    </message>
    <message>
        <source>Tags a worker must have to run the task, separated by spaces, for example: gpu zone=eu</source>
        <translation>工作节点运行该任务必须具备的标签，用空格分隔，例如：gpu zone=eu</translation>
    </message>
    <message>
        <source>Do not start the task before this long from now.</source>
        <translation>从现在起经过这段时间之后才开始该任务。</translation>
    </message>
    <message>
        <source>retry at once</source>
        <translation>立即重试</translation>
    </message>
    <message>
        <source>How long to wait before the first retry after a retryable failure or a timeout; it doubles on each further retry, with some jitter.</source>
        <translation>可重试的失败或超时后，第一次重试前等待的时间；之后每次重试加倍，并带有随机抖动。</translation>
    </message>
    <message>
        <source>&amp;Requires tags:</source>
        <translation>所需标签(&amp;R)：</translation>
    </message>
    <message>
        <source>&amp;Delay:</source>
        <translation>延迟(&amp;D)：</translation>
    </message>
    <message>
        <source>Retry d&amp;elay:</source>
        <translation>重试延迟(&amp;E)：</translation>
    </message>
    <message>
        <source>An integer, or {&quot;n&quot;: 7}: the result is its square.</source>
        <translation>一个整数，或 {&quot;n&quot;: 7}：结果是它的平方。</translation>
    </message>
    <message>
        <source>Any JSON value: the result is the same value.</source>
        <translation>任意 JSON 值：结果与输入相同。</translation>
    </message>
    <message>
        <source>Milliseconds, or {&quot;ms&quot;: 500}: waits that long.</source>
        <translation>毫秒数，或 {&quot;ms&quot;: 500}：等待这么长时间。</translation>
    </message>
    <message>
        <source>{&quot;path&quot;: &quot;/a/file&quot;}: a file the worker can read; the result is its SHA-256.</source>
        <translation>{&quot;path&quot;: &quot;/a/file&quot;}：工作节点可以读取的文件；结果是它的 SHA-256。</translation>
    </message>
    <message>
        <source>{&quot;argv&quot;: [&quot;program&quot;, &quot;arg&quot;]}: runs the program on a worker started with --allow-exec.</source>
        <translation>{&quot;argv&quot;: [&quot;program&quot;, &quot;arg&quot;]}：在以 --allow-exec 启动的工作节点上运行该程序。</translation>
    </message>
    <message>
        <source>Any JSON value: the worker&apos;s handler for this kind receives it.</source>
        <translation>任意 JSON 值：交给工作节点上这一类型的处理程序。</translation>
    </message>
    <message>
        <source>C&amp;lassroom</source>
        <translation>课堂(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Enqueue</source>
        <translation>入队(&amp;E)</translation>
    </message>
    <message>
        <source>Copies of the args</source>
        <translation>参数的副本</translation>
    </message>
    <message>
        <source>Each number from a range</source>
        <translation>范围内的每个数</translation>
    </message>
    <message>
        <source>Random numbers from a range</source>
        <translation>范围内的随机数</translation>
    </message>
    <message>
        <source>A range or random numbers enqueue {&quot;n&quot;: number} for each number.</source>
        <translation>范围或随机数模式为每个数入队 {&quot;n&quot;: 数}。</translation>
    </message>
    <message>
        <source>The first number of the range.</source>
        <translation>范围的第一个数。</translation>
    </message>
    <message>
        <source>The last number of the range, included.</source>
        <translation>范围的最后一个数（包含在内）。</translation>
    </message>
    <message>
        <source>Each square takes a random time from this to the next value, so you can watch the work spread.</source>
        <translation>每个平方任务耗时为此值到下一个值之间的随机时间，以便观察工作如何分散。</translation>
    </message>
    <message>
        <source>to</source>
        <translation>到</translation>
    </message>
    <message>
        <source>&amp;Numbers:</source>
        <translation>数字(&amp;N)：</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>从(&amp;F)：</translation>
    </message>
    <message>
        <source>&amp;Work time:</source>
        <translation>工作时间(&amp;W)：</translation>
    </message>
    <message>
        <source>Fill in ten random &apos;square&apos; tasks, as in the classic example; then press Enqueue.</source>
        <translation>填入十个随机的 &apos;square&apos; 任务，与经典示例相同；然后按“入队”。</translation>
    </message>
    <message>
        <source>Fill in twenty random squares that each take 300 to 800 ms, so students can watch them spread over the workers; then press Enqueue.</source>
        <translation>填入二十个随机平方任务，每个耗时 300 到 800 毫秒，让学生观察它们如何分散到各个工作进程；然后按“入队”。</translation>
    </message>
    <message>
        <source>The range starts at %1, after its end %2: the first number must not be larger than the last.</source>
        <translation>范围起点 %1 在终点 %2 之后：第一个数不能大于最后一个数。</translation>
    </message>
    <message>
        <source>The range holds %1 numbers; at most %2 tasks are enqueued at once.</source>
        <translation>该范围包含 %1 个数；一次最多入队 %2 个任务。</translation>
    </message>
    <message>
        <source>The work time starts at %1 ms, after its end %2 ms.</source>
        <translation>工作时间起点 %1 毫秒在终点 %2 毫秒之后。</translation>
    </message>
    <message>
        <source>there are no args: enter a JSON value, for example 7</source>
        <translation>没有参数：请输入一个 JSON 值，例如 7</translation>
    </message>
    <message>
        <source>more than one JSON value</source>
        <translation>多于一个 JSON 值</translation>
    </message>
    <message>
        <source>missing comma or } in an object</source>
        <translation>对象中缺少逗号或 }</translation>
    </message>
    <message>
        <source>missing colon after a name</source>
        <translation>名称后缺少冒号</translation>
    </message>
    <message>
        <source>an array is not closed with ]</source>
        <translation>数组没有用 ] 结束</translation>
    </message>
    <message>
        <source>missing comma</source>
        <translation>缺少逗号</translation>
    </message>
    <message>
        <source>not a JSON value (text must be in double quotes)</source>
        <translation>不是 JSON 值（文本必须放在双引号中）</translation>
    </message>
    <message>
        <source>the text ends inside a number</source>
        <translation>文本在数字中间结束</translation>
    </message>
    <message>
        <source>not a valid number</source>
        <translation>不是有效的数字</translation>
    </message>
    <message>
        <source>an invalid escape sequence</source>
        <translation>无效的转义序列</translation>
    </message>
    <message>
        <source>invalid UTF-8 in a string</source>
        <translation>字符串中有无效的 UTF-8</translation>
    </message>
    <message>
        <source>a string is not closed with &quot;</source>
        <translation>字符串没有用 &quot; 结束</translation>
    </message>
    <message>
        <source>an object was expected</source>
        <translation>此处应为对象</translation>
    </message>
    <message>
        <source>nested too deeply</source>
        <translation>嵌套太深</translation>
    </message>
    <message>
        <source>not valid JSON</source>
        <translation>不是有效的 JSON</translation>
    </message>
    <message>
        <source>line %1, column %2: %3</source>
        <translation>第 %1 行，第 %2 列：%3</translation>
    </message>
</context>
<context>
    <name>LocalWorkers</name>
    <message>
        <source>Cannot find the worker program %1; it must be installed next to taskmaster.</source>
        <translation>找不到工作进程程序 %1；它必须与 taskmaster 安装在同一目录。</translation>
    </message>
    <message>
        <source>Cannot start %1: %2</source>
        <translation>无法启动 %1：%2</translation>
    </message>
</context>
<context>
    <name>LogPane</name>
    <message>
        <source>warning: </source>
        <translation>警告：</translation>
    </message>
    <message>
        <source>error: </source>
        <translation>错误：</translation>
    </message>
    <message>
        <source>&amp;Clear</source>
        <translation>清除(&amp;C)</translation>
    </message>
    <message>
        <source>Filter the log</source>
        <translation>筛选日志</translation>
    </message>
    <message>
        <source>Show only the lines that contain this text, in any case.</source>
        <translation>只显示包含此文字的行（不区分大小写）。</translation>
    </message>
    <message>
        <source>Forget the lines shown so far</source>
        <translation>清除目前显示的各行</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Taskmaster</source>
        <translation>Taskmaster 任务队列</translation>
    </message>
    <message>
        <source>All states</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>Show only tasks in this state.</source>
        <translation>只显示处于此状态的任务。</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Search id, args, worker, result…</source>
        <translation>搜索编号、参数、工作进程、结果…</translation>
    </message>
    <message>
        <source>Show only tasks whose id, kind, args, worker, result or error contain this text.</source>
        <translation>只显示编号、类型、参数、工作进程、结果或错误中包含此文本的任务。</translation>
    </message>
    <message>
        <source>Workers</source>
        <translation>工作进程</translation>
    </message>
    <message>
        <source>Throughput</source>
        <translation>吞吐量</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Import tasks…</source>
        <translation>导入任务(&amp;I)…</translation>
    </message>
    <message>
        <source>Enqueue tasks from a JSON Lines file; nothing is enqueued if a line is bad</source>
        <translation>从 JSON Lines 文件入队任务；只要有一行有误，就什么都不入队</translation>
    </message>
    <message>
        <source>&amp;Export all…</source>
        <translation>全部导出(&amp;E)…</translation>
    </message>
    <message>
        <source>Ctrl+E</source>
        <translation>Ctrl+E</translation>
    </message>
    <message>
        <source>Save every task to a CSV or JSONL file</source>
        <translation>把所有任务保存为 CSV 或 JSONL 文件</translation>
    </message>
    <message>
        <source>Export &amp;selection…</source>
        <translation>导出所选(&amp;S)…</translation>
    </message>
    <message>
        <source>Ctrl+Shift+E</source>
        <translation>Ctrl+Shift+E</translation>
    </message>
    <message>
        <source>Save the selected tasks to a CSV or JSONL file</source>
        <translation>把所选任务保存为 CSV 或 JSONL 文件</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Server</source>
        <translation>服务器(&amp;S)</translation>
    </message>
    <message>
        <source>Ctrl+L</source>
        <translation>Ctrl+L</translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation>设置(&amp;S)…</translation>
    </message>
    <message>
        <source>Ctrl+,</source>
        <translation>Ctrl+,</translation>
    </message>
    <message>
        <source>Bind address, port and authkey</source>
        <translation>绑定地址、端口和认证密钥</translation>
    </message>
    <message>
        <source>&amp;Connect a worker…</source>
        <translation>连接工作进程(&amp;C)…</translation>
    </message>
    <message>
        <source>Ctrl+K</source>
        <translation>Ctrl+K</translation>
    </message>
    <message>
        <source>Show the command line that connects a worker on another machine</source>
        <translation>显示在另一台机器上连接工作进程的命令行</translation>
    </message>
    <message>
        <source>&amp;Tasks</source>
        <translation>任务(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Enqueue…</source>
        <translation>入队(&amp;E)…</translation>
    </message>
    <message>
        <source>Put new tasks on the queue</source>
        <translation>把新任务放入队列</translation>
    </message>
    <message>
        <source>Enqueue &amp;demo</source>
        <translation>入队演示任务(&amp;D)</translation>
    </message>
    <message>
        <source>Ctrl+D</source>
        <translation>Ctrl+D</translation>
    </message>
    <message>
        <source>Enqueue ten random &apos;square&apos; tasks</source>
        <translation>入队十个随机的“square”任务</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <source>Cancel the selected queued or running tasks</source>
        <translation>取消所选的排队中或运行中的任务</translation>
    </message>
    <message>
        <source>&amp;Retry</source>
        <translation>重试(&amp;R)</translation>
    </message>
    <message>
        <source>Ctrl+R</source>
        <translation>Ctrl+R</translation>
    </message>
    <message>
        <source>Queue the selected failed or cancelled tasks again</source>
        <translation>把所选的失败或已取消任务重新排队</translation>
    </message>
    <message>
        <source>Re&amp;move finished</source>
        <translation>移除已结束(&amp;M)</translation>
    </message>
    <message>
        <source>Shift+Del</source>
        <translation>Shift+Del</translation>
    </message>
    <message>
        <source>Forget the selected tasks that have finished</source>
        <translation>删除所选的已结束任务</translation>
    </message>
    <message>
        <source>Clear &amp;all finished</source>
        <translation>清除全部已结束(&amp;A)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+Del</source>
        <translation>Ctrl+Shift+Del</translation>
    </message>
    <message>
        <source>Forget every task that has finished</source>
        <translation>删除所有已结束的任务</translation>
    </message>
    <message>
        <source>&amp;Workers</source>
        <translation>工作进程(&amp;W)</translation>
    </message>
    <message>
        <source>&amp;Start local workers…</source>
        <translation>启动本地工作进程(&amp;S)…</translation>
    </message>
    <message>
        <source>Ctrl+W</source>
        <translation>Ctrl+W</translation>
    </message>
    <message>
        <source>Start taskworker processes on this machine</source>
        <translation>在本机启动 taskworker 进程</translation>
    </message>
    <message>
        <source>S&amp;top local workers</source>
        <translation>停止本地工作进程(&amp;T)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+W</source>
        <translation>Ctrl+Shift+W</translation>
    </message>
    <message>
        <source>Stop every taskworker this app started</source>
        <translation>停止本程序启动的所有 taskworker</translation>
    </message>
    <message>
        <source>&amp;Drain</source>
        <translation>排空(&amp;D)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+D</source>
        <translation>Ctrl+Shift+D</translation>
    </message>
    <message>
        <source>Ask the selected workers to finish their tasks, take no new ones and leave</source>
        <translation>请所选工作进程完成手头任务、不再接受新任务并退出</translation>
    </message>
    <message>
        <source>Dis&amp;connect</source>
        <translation>断开连接(&amp;C)</translation>
    </message>
    <message>
        <source>Ctrl+Shift+X</source>
        <translation>Ctrl+Shift+X</translation>
    </message>
    <message>
        <source>Drop the selected workers now; their tasks go back to the queue</source>
        <translation>立即断开所选工作进程；它们的任务回到队列</translation>
    </message>
    <message>
        <source>Stop this local worker</source>
        <translation>停止此本地工作进程</translation>
    </message>
    <message>
        <source>Stop the selected workers&apos; processes if this app started them</source>
        <translation>如果所选工作进程由本程序启动，则停止它们的进程</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About Taskmaster</source>
        <translation>关于 Taskmaster(&amp;A)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>Cannot listen on %1 port %2: %3. Choose another port in Server &gt; Settings.</source>
        <translation>无法在 %1 的端口 %2 上监听：%3。请在“服务器 &gt; 设置”中选择其他端口。</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Start local workers</source>
        <translation>启动本地工作进程</translation>
    </message>
    <message>
        <source>How many taskworker processes:</source>
        <translation>taskworker 进程数量：</translation>
    </message>
    <message>
        <source>Cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>%1: %2. Nothing was enqueued.</source>
        <translation>%1：%2。没有任何任务入队。</translation>
    </message>
    <message>
        <source>Import tasks</source>
        <translation>导入任务</translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl *.ndjson);;All files (*)</source>
        <translation>JSON Lines (*.jsonl *.ndjson);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Export all tasks</source>
        <translation>导出全部任务</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Export selected tasks</source>
        <translation>导出所选任务</translation>
    </message>
    <message>
        <source>cancelled from the desktop app</source>
        <translation>已在桌面程序中取消</translation>
    </message>
    <message numerus="yes">
        <source>Cancelled %n task(s).</source>
        <translation>
            <numerusform>已取消 %n 个任务。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Queued %n task(s) again.</source>
        <translation>
            <numerusform>已重新排队 %n 个任务。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Removed %n finished task(s).</source>
        <translation>
            <numerusform>已移除 %n 个已结束的任务。</numerusform>
        </translation>
    </message>
    <message>
        <source>disconnected from the desktop app</source>
        <translation>已在桌面程序中断开连接</translation>
    </message>
    <message>
        <source>drained from the desktop app</source>
        <translation>已在桌面程序中排空</translation>
    </message>
    <message>
        <source>About Taskmaster</source>
        <translation>关于 Taskmaster</translation>
    </message>
    <message>
        <source>The language changes the next time Taskmaster starts.</source>
        <translation>语言将在下次启动 Taskmaster 时生效。</translation>
    </message>
    <message>
        <source>Listening on %1:%2</source>
        <translation>正在监听 %1:%2</translation>
    </message>
    <message>
        <source>Not listening</source>
        <translation>未监听</translation>
    </message>
    <message numerus="yes">
        <source>%n worker(s)</source>
        <translation>
            <numerusform>%n 个工作进程</numerusform>
        </translation>
    </message>
    <message>
        <source>Stop &amp;listening</source>
        <translation>停止监听(&amp;L)</translation>
    </message>
    <message>
        <source>Start &amp;listening</source>
        <translation>开始监听(&amp;L)</translation>
    </message>
    <message>
        <source>Cannot use the TLS certificate: %1. Fix it in Server &gt; Settings.</source>
        <translation>无法使用 TLS 证书：%1。请在 服务器 &gt; 设置 中修正。</translation>
    </message>
    <message>
        <source>Sorting and filtering…</source>
        <translation>正在排序和筛选…</translation>
    </message>
    <message>
        <source>The new order or filter is being worked out; the rows shown follow shortly.</source>
        <translation>正在计算新的排序或筛选结果，表格稍后随之更新。</translation>
    </message>
    <message>
        <source>New &amp;worker key</source>
        <translation>新建工作节点密钥(&amp;W)</translation>
    </message>
    <message>
        <source>Give workers a key of their own that cannot submit, cancel, watch or ask status</source>
        <translation>给工作节点一个专用密钥：它不能提交、取消、跟踪任务，也不能查询状态</translation>
    </message>
    <message>
        <source>&amp;Remove worker key</source>
        <translation>删除工作节点密钥(&amp;R)</translation>
    </message>
    <message>
        <source>Let workers connect with the authkey only, as clients do</source>
        <translation>工作节点只用 authkey 连接，与客户端相同</translation>
    </message>
    <message>
        <source>Cannot use the worker key: %1. Use Server &gt; New worker key.</source>
        <translation>无法使用工作节点密钥：%1。请使用“服务器 &gt; 新建工作节点密钥”。</translation>
    </message>
    <message>
        <source>Worker key</source>
        <translation>工作节点密钥</translation>
    </message>
    <message>
        <source>New worker key in %1; workers that connect from now on need it (or the authkey).</source>
        <translation>新的工作节点密钥保存在 %1；此后连接的工作节点需要它（或 authkey）。</translation>
    </message>
    <message>
        <source>Cannot remove %1.</source>
        <translation>无法删除 %1。</translation>
    </message>
    <message>
        <source>No worker key: workers connect with the authkey.</source>
        <translation>没有工作节点密钥：工作节点使用 authkey 连接。</translation>
    </message>
    <message numerus="yes">
        <source>Imported %n task(s) from %1.</source>
        <translation>
            <numerusform>已从 %1 导入 %n 个任务。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Exported %n task(s) to %1 as %2.</source>
        <translation>
            <numerusform>已将 %n 个任务以 %2 格式导出到 %1。</numerusform>
        </translation>
    </message>
    <message>
        <source>sent ahead %1</source>
        <translation>已预发送 %1</translation>
    </message>
    <message>
        <source>Accept no new workers or clients; those connected stay connected</source>
        <translation>不再接受新的工作节点或客户端；已连接的保持连接</translation>
    </message>
    <message>
        <source>Accept workers and clients on the address and port of Server &gt; Settings</source>
        <translation>在“服务器 &gt; 设置”中的地址和端口上接受工作节点和客户端</translation>
    </message>
    <message>
        <source>Show only tasks whose kind contains this, in any case.</source>
        <translation>只显示类型名称包含此文本的任务（不区分大小写）。</translation>
    </message>
    <message>
        <source>New worker key</source>
        <translation>新建工作节点密钥</translation>
    </message>
    <message>
        <source>Workers given the current worker key cannot connect again once they lose their connection: each needs a copy of the new key file. Connected workers stay connected.</source>
        <translation>持有当前工作节点密钥的工作节点一旦断开连接就无法再连接：每个都需要新密钥文件的副本。已连接的工作节点保持连接。</translation>
    </message>
    <message>
        <source>&amp;Replace the key</source>
        <translation>替换密钥(&amp;R)</translation>
    </message>
    <message>
        <source>No finished tasks to remove.</source>
        <translation>没有可移除的已结束任务。</translation>
    </message>
    <message>
        <source>Clear all finished</source>
        <translation>清除全部已结束</translation>
    </message>
    <message numerus="yes">
        <source>Remove all %n finished task(s), with their results? This cannot be undone.</source>
        <translation>
            <numerusform>移除全部 %n 个已结束任务及其结果？此操作无法撤销。</numerusform>
        </translation>
    </message>
    <message>
        <source>&amp;Remove them</source>
        <translation>移除(&amp;R)</translation>
    </message>
    <message numerus="yes">
        <source>%n running task(s) will be interrupted and run again the next time Taskmaster starts.</source>
        <translation>
            <numerusform>%n 个正在运行的任务将被中断，并在 Taskmaster 下次启动时重新运行。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n running task(s) will be lost: this session keeps its tasks in memory only.</source>
        <translation>
            <numerusform>%n 个正在运行的任务将会丢失：本次会话只在内存中保存任务。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n remote worker(s) will lose their master and wait for it to come back.</source>
        <translation>
            <numerusform>%n 个远程工作进程将失去主控端，并等待它恢复。</numerusform>
        </translation>
    </message>
    <message>
        <source>Quit Taskmaster?</source>
        <translation>退出 Taskmaster？</translation>
    </message>
    <message>
        <source>Copied.</source>
        <translation>已复制。</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Taskmaster %1&lt;/h3&gt;&lt;p&gt;A distributed task queue: this window is the master; taskworker processes connect to it and run the tasks.&lt;/p&gt;&lt;p&gt;Qt %2&lt;/p&gt;</source>
        <translation>&lt;h3&gt;Taskmaster %1&lt;/h3&gt;&lt;p&gt;一个分布式任务队列：此窗口就是主控端；taskworker 进程连接到它并运行任务。&lt;/p&gt;&lt;p&gt;Qt %2&lt;/p&gt;</translation>
    </message>
    <message>
        <source>The versions of Taskmaster and Qt</source>
        <translation>Taskmaster 和 Qt 的版本</translation>
    </message>
    <message>
        <source>Stopped listening; the workers and clients connected stay connected.</source>
        <translation>已停止监听；已连接的工作进程和客户端保持连接。</translation>
    </message>
    <message>
        <source>New authkey written to %1.</source>
        <translation>新的 authkey 已写入 %1。</translation>
    </message>
    <message>
        <source>TLS turned off.</source>
        <translation>已关闭 TLS。</translation>
    </message>
    <message>
        <source>TLS certificate set to %1.</source>
        <translation>TLS 证书已设为 %1。</translation>
    </message>
    <message numerus="yes">
        <source>Enqueued %n task(s).</source>
        <translation>
            <numerusform>已入队 %n 个任务。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Enqueued the demo: %n square task(s).</source>
        <translation>
            <numerusform>已入队演示：%n 个 square 任务。</numerusform>
        </translation>
    </message>
    <message>
        <source>Listen address set to %1 port %2.</source>
        <translation>监听地址已设为 %1，端口 %2。</translation>
    </message>
    <message numerus="yes">
        <source>Cleared all finished: removed %n task(s).</source>
        <translation>
            <numerusform>已清除全部已结束：移除了 %n 个任务。</numerusform>
        </translation>
    </message>
    <message>
        <source>Task stream</source>
        <translation>任务流</translation>
    </message>
    <message>
        <source>Taskmaster (second instance, tasks in memory only)</source>
        <translation>Taskmaster（第二个实例，任务只保存在内存中）</translation>
    </message>
    <message numerus="yes">
        <source>Started %n local worker(s).</source>
        <translation>
            <numerusform>已启动 %n 个本地工作进程。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Stopping %n local worker(s).</source>
        <translation>
            <numerusform>正在停止 %n 个本地工作进程。</numerusform>
        </translation>
    </message>
    <message>
        <source>stopped from the desktop app</source>
        <translation>已在桌面程序中停止</translation>
    </message>
    <message>
        <source>Stopping local worker %1 on %2.</source>
        <translation>正在停止 %2 上的本地工作进程 %1。</translation>
    </message>
    <message>
        <source>Task %1 is not in the task table: the filter hides it, or it was removed.</source>
        <translation>任务 %1 不在任务表中：它被筛选条件隐藏，或已被移除。</translation>
    </message>
    <message>
        <source>%1 and %2</source>
        <translation>%1和%2</translation>
    </message>
    <message numerus="yes">
        <source>%n client(s)</source>
        <translation>
            <numerusform>%n 个客户端</numerusform>
        </translation>
    </message>
    <message>
        <source>Disconnect the old key&apos;s peers?</source>
        <translation>断开使用旧密钥的连接？</translation>
    </message>
    <message>
        <source>%1 are connected with the old key. Disconnect them now? They reconnect only with the new key.</source>
        <translation>%1正在使用旧密钥连接。现在断开它们吗？它们只能用新密钥重新连接。</translation>
    </message>
    <message>
        <source>&amp;Disconnect</source>
        <translation>断开(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Keep connected</source>
        <translation>保持连接(&amp;K)</translation>
    </message>
    <message>
        <source>Kept %1 connected with the old key until they leave.</source>
        <translation>已让使用旧密钥的%1保持连接，直到其离开。</translation>
    </message>
    <message>
        <source>Disconnected %1 connected with the old key.</source>
        <translation>已断开使用旧密钥连接的%1。</translation>
    </message>
    <message>
        <source>Zoom &amp;in</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <source>Larger text in the tables, views and chart, as for a projector</source>
        <translation>放大表格、视图和图表中的文字，便于投影</translation>
    </message>
    <message>
        <source>Zoom &amp;out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <source>Smaller text in the tables, views and chart</source>
        <translation>缩小表格、视图和图表中的文字</translation>
    </message>
    <message>
        <source>&amp;Actual size</source>
        <translation>实际大小(&amp;A)</translation>
    </message>
    <message>
        <source>Ctrl+0</source>
        <translation>Ctrl+0</translation>
    </message>
    <message>
        <source>Text at its normal size</source>
        <translation>文字恢复正常大小</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Server settings</source>
        <translation>服务器设置</translation>
    </message>
    <message>
        <source>127.0.0.1 accepts workers on this machine only; 0.0.0.0 or :: accepts remote workers.</source>
        <translation>127.0.0.1 只接受本机的工作进程；0.0.0.0 或 :: 可接受远程工作进程。</translation>
    </message>
    <message>
        <source>any free port</source>
        <translation>任意空闲端口</translation>
    </message>
    <message>
        <source>Workers must present the same key. It is kept in a file only you can read.</source>
        <translation>工作进程必须提供相同的密钥。密钥保存在只有您能读取的文件中。</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>生成(&amp;G)</translation>
    </message>
    <message>
        <source>Replace the key with 32 random bytes from the system&apos;s generator.</source>
        <translation>用系统随机数生成器产生的 32 个随机字节替换密钥。</translation>
    </message>
    <message>
        <source>&amp;Show</source>
        <translation>显示(&amp;S)</translation>
    </message>
    <message>
        <source>Show or hide the key.</source>
        <translation>显示或隐藏密钥。</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>Copy the key to the clipboard.</source>
        <translation>把密钥复制到剪贴板。</translation>
    </message>
    <message>
        <source>&amp;Hide</source>
        <translation>隐藏(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Bind address:</source>
        <translation>绑定地址(&amp;B)：</translation>
    </message>
    <message>
        <source>&amp;Port:</source>
        <translation>端口(&amp;P)：</translation>
    </message>
    <message>
        <source>&amp;Authkey:</source>
        <translation>认证密钥(&amp;A)：</translation>
    </message>
    <message>
        <source>The authkey must be at least 16 characters; use Generate for a strong one.</source>
        <translation>认证密钥至少需要 16 个字符；请点击“生成”获得强密钥。</translation>
    </message>
    <message>
        <source>none: connections are not encrypted</source>
        <translation>无：连接不加密</translation>
    </message>
    <message>
        <source>A PEM certificate (chain) file. With it, every connection uses TLS and workers need --tls with --ca or --tls-fingerprint.</source>
        <translation>PEM 证书（链）文件。设置后所有连接都使用 TLS，工作进程需要 --tls 以及 --ca 或 --tls-fingerprint。</translation>
    </message>
    <message>
        <source>the certificate&apos;s private key (PEM)</source>
        <translation>证书的私钥（PEM）</translation>
    </message>
    <message>
        <source>The PEM private key file that belongs to the certificate.</source>
        <translation>与证书对应的 PEM 私钥文件。</translation>
    </message>
    <message>
        <source>TLS &amp;certificate:</source>
        <translation>TLS 证书(&amp;C)：</translation>
    </message>
    <message>
        <source>TLS private &amp;key:</source>
        <translation>TLS 私钥(&amp;K)：</translation>
    </message>
    <message>
        <source>Give both the TLS certificate and its private key, or neither.</source>
        <translation>请同时提供 TLS 证书和私钥，或者都不提供。</translation>
    </message>
    <message>
        <source>Generate a new authkey?</source>
        <translation>生成新的认证密钥？</translation>
    </message>
    <message>
        <source>Once saved, the new key replaces the current one: every copy of the current key given to remote workers and clients stops working for new connections.</source>
        <translation>保存后，新密钥将替换当前密钥：分发给远程工作进程和客户端的所有当前密钥副本都将无法再建立新连接。</translation>
    </message>
</context>
<context>
    <name>StoreBanner</name>
    <message>
        <source>Tasks cannot be saved: %1. New tasks are not kept, and results stay in memory until the disk has room; closing the window now loses them.</source>
        <translation>无法保存任务：%1。新任务不会被保留，结果暂存在内存中，直到磁盘有空间为止；现在关闭窗口会丢失这些结果。</translation>
    </message>
    <message>
        <source>&lt;b&gt;Taskmaster is already running.&lt;/b&gt; This window is a second instance: another Taskmaster holds the task store, so the tasks of this window are kept in memory only and are lost when it closes. Use the other window, or start this one with --data-dir to run a second queue of its own. (%1)</source>
        <translation>&lt;b&gt;Taskmaster 已在运行。&lt;/b&gt;此窗口是第二个实例：另一个 Taskmaster 占用着任务存储，因此此窗口的任务只保存在内存中，关闭窗口即丢失。请使用另一个窗口，或用 --data-dir 启动此窗口，运行一个独立的队列。（%1）</translation>
    </message>
    <message>
        <source>Tasks are kept in memory only this time, and are lost when this window closes: %1</source>
        <translation>本次任务只保存在内存中，关闭此窗口即丢失：%1</translation>
    </message>
</context>
<context>
    <name>TaskDetailPane</name>
    <message>
        <source>Select a task to see its details.</source>
        <translation>选择一个任务以查看其详情。</translation>
    </message>
    <message>
        <source>Task %1: %2</source>
        <translation>任务 %1：%2</translation>
    </message>
    <message>
        <source>Args</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>Standard output</source>
        <translation>标准输出</translation>
    </message>
    <message>
        <source>Standard error</source>
        <translation>标准错误</translation>
    </message>
    <message>
        <source>Error</source>
        <translation>错误</translation>
    </message>
    <message>
        <source>Created %1, started %2, finished %3</source>
        <translation>创建于 %1，开始于 %2，结束于 %3</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message numerus="yes">
        <source>%n earlier dispatch(es) not kept</source>
        <translation>
            <numerusform>另有 %n 次更早的派发未保留</numerusform>
        </translation>
    </message>
    <message>
        <source>Worker</source>
        <translation>工作进程</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>结束</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <source>timeout %1 ms</source>
        <translation>超时 %1 毫秒</translation>
    </message>
    <message>
        <source>no timeout</source>
        <translation>无超时</translation>
    </message>
    <message>
        <source>Priority %1, %2, attempts %3 of %4</source>
        <translation>优先级 %1，%2，尝试 %3 / %4 次</translation>
    </message>
    <message>
        <source>Ran %1</source>
        <translation>运行了 %1</translation>
    </message>
    <message>
        <source>Ran</source>
        <translation>运行时长</translation>
    </message>
</context>
<context>
    <name>TaskDuration</name>
    <message>
        <source>%1 µs</source>
        <translation>%1 微秒</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
</context>
<context>
    <name>TaskExport</name>
    <message>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>CSV (*.csv);;JSON Lines (*.jsonl)</source>
        <translation>CSV (*.csv);;JSON Lines (*.jsonl)</translation>
    </message>
    <message>
        <source>JSON Lines</source>
        <translation>JSON Lines</translation>
    </message>
</context>
<context>
    <name>TaskGuidance</name>
    <message>
        <source>How many tasks the filters let through, of all the tasks.</source>
        <translation>在全部任务中，筛选条件放行的任务数。</translation>
    </message>
    <message>
        <source>%1 of %2 shown</source>
        <translation>显示 %1 / %2</translation>
    </message>
    <message>
        <source>No tasks yet. Press %1 for the demo, or %2 to enqueue tasks.</source>
        <translation>还没有任务。按 %1 运行演示，或按 %2 入队任务。</translation>
    </message>
    <message>
        <source>No task matches the filters; %1 are hidden. Clear the filters to see them.</source>
        <translation>没有任务符合筛选条件；%1 个被隐藏。清除筛选条件即可看到它们。</translation>
    </message>
</context>
<context>
    <name>TaskState</name>
    <message>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>crashed</source>
        <translation>已崩溃</translation>
    </message>
    <message>
        <source>exit code %1</source>
        <translation>退出码 %1</translation>
    </message>
</context>
<context>
    <name>TaskStreamView</name>
    <message>
        <source>Live</source>
        <translation>实时</translation>
    </message>
    <message>
        <source>Follow the current time (L, or double-click the lanes)</source>
        <translation>跟随当前时间（L 键，或双击泳道）</translation>
    </message>
    <message>
        <source>Each lane is one slot of a worker; each bar is one attempt of a task, from its start to its end.</source>
        <translation>每条泳道是工作进程的一个槽位；每个条块是任务的一次尝试，从开始到结束。</translation>
    </message>
    <message>
        <source>%1 #%2</source>
        <comment>worker name, slot number</comment>
        <translation>%1 #%2</translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation>%1 毫秒</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>(one of many kinds)</source>
        <translation>（众多类型之一）</translation>
    </message>
    <message>
        <source>Task %1
Kind: %2
Worker: %3, slot %4
Started: %5
%6: %7</source>
        <translation>任务 %1
类型：%2
工作进程：%3，槽位 %4
开始于：%5
%6：%7</translation>
    </message>
    <message>
        <source>No workers yet. Each slot of a worker becomes a lane here, with a bar for every task it runs.</source>
        <translation>还没有工作进程。每个工作进程的每个槽位在这里显示为一条泳道，它运行的每个任务显示为一个条块。</translation>
    </message>
    <message>
        <source>+%1 ms</source>
        <translation>+%1 毫秒</translation>
    </message>
    <message>
        <source>other kinds</source>
        <translation>其他类型</translation>
    </message>
</context>
<context>
    <name>TaskTableModel</name>
    <message>
        <source>ID</source>
        <translation>编号</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Args</source>
        <translation>参数</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>优先级</translation>
    </message>
    <message>
        <source>Worker</source>
        <translation>工作进程</translation>
    </message>
    <message>
        <source>Attempts</source>
        <translation>尝试次数</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>耗时</translation>
    </message>
    <message>
        <source>Result / error</source>
        <translation>结果 / 错误</translation>
    </message>
    <message>
        <source>sent to %1, not started yet</source>
        <translation>已发送到 %1，尚未开始</translation>
    </message>
    <message>
        <source>runs at %1</source>
        <translation>将于 %1 运行</translation>
    </message>
    <message>
        <source>waits for a worker that runs %1</source>
        <translation>等待能运行 %1 的工作节点</translation>
    </message>
    <message>
        <source>waits for a worker that runs %1 and has the tags %2</source>
        <translation>等待能运行 %1 且具有标签 %2 的工作节点</translation>
    </message>
    <message>
        <source>saving to disk…</source>
        <translation>正在写入磁盘…</translation>
    </message>
    <message>
        <source>%1, %2</source>
        <translation>%1，%2</translation>
    </message>
</context>
<context>
    <name>ThroughputChart</name>
    <message>
        <source>Finished per second</source>
        <translation>每秒完成数</translation>
    </message>
    <message>
        <source>Queued</source>
        <translation>排队数</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>tasks/s</source>
        <translation>任务/秒</translation>
    </message>
    <message>
        <source>Queued tasks</source>
        <translation>排队任务</translation>
    </message>
</context>
<context>
    <name>WelcomePanel</name>
    <message>
        <source>&lt;b&gt;Welcome to Taskmaster.&lt;/b&gt; No task has been queued yet; to begin:</source>
        <translation>&lt;b&gt;欢迎使用 Taskmaster。&lt;/b&gt;还没有任何任务入队；开始方法：</translation>
    </message>
    <message>
        <source>Press Ctrl+D for the demo</source>
        <translation>按 Ctrl+D 运行演示</translation>
    </message>
    <message>
        <source>Start local workers…</source>
        <translation>启动本地工作进程…</translation>
    </message>
    <message>
        <source>Connect a remote worker…</source>
        <translation>连接远程工作进程…</translation>
    </message>
    <message>
        <source>&amp;Dismiss</source>
        <translation>关闭(&amp;D)</translation>
    </message>
    <message>
        <source>Hide this panel for good.</source>
        <translation>永久隐藏此面板。</translation>
    </message>
</context>
<context>
    <name>WorkerTableModel</name>
    <message>
        <source>%1 s ago</source>
        <translation>%1 秒前</translation>
    </message>
    <message>
        <source>draining</source>
        <translation>排空中</translation>
    </message>
    <message>
        <source>idle</source>
        <translation>空闲</translation>
    </message>
    <message>
        <source>busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Host</source>
        <translation>主机</translation>
    </message>
    <message>
        <source>PID</source>
        <translation>进程号</translation>
    </message>
    <message>
        <source>Slots</source>
        <translation>槽位</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>Connected since</source>
        <translation>连接时间</translation>
    </message>
    <message>
        <source>Last heartbeat</source>
        <translation>最近心跳</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>%1, connected from %2</source>
        <translation>%1，连接自 %2</translation>
    </message>
    <message>
        <source>Sent ahead</source>
        <translation>已预发送</translation>
    </message>
    <message>
        <source>Kinds</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Tags</source>
        <translation>标签</translation>
    </message>
    <message>
        <source>%1 (this app&apos;s)</source>
        <translation>%1（本应用启动）</translation>
    </message>
</context>
<context>
    <name>main</name>
    <message>
        <source>Taskmaster desktop app: a master with a window. Run &apos;taskmaster --help-commands&apos; for the headless subcommands.</source>
        <translation>Taskmaster 桌面程序：带窗口的主节点。运行 &apos;taskmaster --help-commands&apos; 查看无界面的子命令。</translation>
    </message>
    <message>
        <source>Start this many local workers at once.</source>
        <translation>立即启动这么多个本地工作进程。</translation>
    </message>
    <message>
        <source>Listen on this port (default: the saved one).</source>
        <translation>在此端口监听（默认：已保存的端口）。</translation>
    </message>
    <message>
        <source>Enqueue the ten demo squares at once.</source>
        <translation>立即入队十个演示平方任务。</translation>
    </message>
    <message>
        <source>Keep tasks and results in this directory (default %1).</source>
        <translation>将任务和结果保存在此目录（默认 %1）。</translation>
    </message>
    <message>
        <source>Keep tasks in memory only: gone when the app quits.</source>
        <translation>只在内存中保存任务：应用退出后即丢失。</translation>
    </message>
    <message>
        <source>Taskmaster</source>
        <translation>Taskmaster 任务队列</translation>
    </message>
</context>
</TS>
