// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * labload - workload and ground-truth helper for the kdive test lab.
 *
 * Runs as root inside the QEMU guest (Debian 6.1 kernel, busybox initramfs).
 * It starts recognisable processes and BPF objects, and prints what the live
 * kernel reports about them, so the lab can later compare kdive's view of the
 * crash dump against it.
 *
 *   labload workloads   start named long-lived processes/threads, print them
 *   labload bpf         create named BPF maps/programs, print their info,
 *                       leave a "kd_bpf" process holding the fds
 *   labload ps          print every thread of every process from /proc
 *   labload taskcpu     print the CPU each thread last ran on (stat field 39)
 *
 * Build: gcc -O2 -static -Wall -Wextra -o labload labload.c -lpthread
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <linux/bpf.h>
#include <linux/btf.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------ */
/* Error handling and small utilities                                       */
/* ------------------------------------------------------------------------ */

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die_errno(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("labload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Like die(), with ": strerror(errno)" appended. */
static void die_errno(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fputs("labload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", strerror(err));
	exit(1);
}

/* Set the calling thread's comm (what /proc and task_struct->comm show). */
static void set_comm(const char *name)
{
	if (prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0) < 0)
		die_errno("prctl(PR_SET_NAME, %s)", name);
}

/*
 * Point stdin/stdout/stderr at /dev/null. Long-lived children must not keep
 * the caller's stdout/stderr open: `out=$(labload workloads)` or a pipe into
 * another program would otherwise wait for EOF forever.
 */
static void detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

static void pause_forever(void)
{
	for (;;)
		pause();
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * Close every fd above stderr except the n fds in keep. Long-lived processes
 * must not pin whatever their caller left open (e.g. a pipe a test harness
 * waits on). Best effort: close_range() exists since Linux 5.9.
 */
static void close_fds_except(const int *keep, size_t n)
{
	unsigned int from = STDERR_FILENO + 1;
	int sorted[16];
	size_t i;

	if (n > ARRAY_SIZE(sorted))
		return;
	memcpy(sorted, keep, n * sizeof(*keep));
	qsort(sorted, n, sizeof(*sorted), cmp_int);
	for (i = 0; i < n; i++) {
		if (sorted[i] < (int)from)
			continue;
		if ((unsigned int)sorted[i] > from)
			close_range(from, (unsigned int)sorted[i] - 1, 0);
		from = (unsigned int)sorted[i] + 1;
	}
	close_range(from, ~0U, 0);
}

/* write() all of buf, retrying on EINTR and short writes. */
static int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * read() exactly len bytes, waiting at most timeout_ms for each chunk.
 * Returns 0 on success, -1 with errno set otherwise (EPIPE for an early EOF,
 * ETIMEDOUT on timeout).
 */
static int read_full_timeout(int fd, void *buf, size_t len, int timeout_ms)
{
	char *p = buf;

	while (len > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r = poll(&pfd, 1, timeout_ms);
		ssize_t n;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = read(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EPIPE;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Read /proc/.../stat at path and extract state, ppid and comm.
 * comm is the text between the first '(' and the LAST ')', since a comm may
 * itself contain spaces and parentheses. Returns 0, or -1 if the file could
 * not be read (e.g. the task has exited) or parsed.
 */
static int read_stat(const char *path, char *state, int *ppid, char *comm, size_t commsz)
{
	char buf[4096];
	char *open_p, *close_p;
	size_t clen;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';

	open_p = strchr(buf, '(');
	close_p = strrchr(buf, ')');
	if (!open_p || !close_p || close_p < open_p)
		return -1;
	if (sscanf(close_p + 1, " %c %d", state, ppid) != 2)
		return -1;

	clen = (size_t)(close_p - open_p - 1);
	if (clen >= commsz)
		clen = commsz - 1;
	memcpy(comm, open_p + 1, clen);
	comm[clen] = '\0';
	return 0;
}

/* Lowercase hex of len bytes in memory order; out needs 2*len+1 bytes. */
static void hex_bytes(const void *buf, size_t len, char *out)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
	out[2 * len] = '\0';
}

/* ------------------------------------------------------------------------ */
/* labload ps                                                               */
/* ------------------------------------------------------------------------ */

/* Parse a /proc directory entry name as a pid; -1 if it is not one. */
static int parse_pid(const char *s)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno || v <= 0 || v > INT_MAX)
		return -1;
	return (int)v;
}

static int cmd_ps(void)
{
	DIR *proc = opendir("/proc");
	struct dirent *pe;

	if (!proc)
		die_errno("opendir /proc");

	/* So the consumer can drop the printer itself. */
	printf("#self\t%d\n", (int)getpid());

	while ((pe = readdir(proc)) != NULL) {
		char taskdir[32];
		struct dirent *te;
		DIR *task;
		int pid = parse_pid(pe->d_name);

		if (pid < 0)
			continue;
		snprintf(taskdir, sizeof(taskdir), "/proc/%d/task", pid);
		task = opendir(taskdir);
		if (!task)
			continue; /* process exited meanwhile */

		while ((te = readdir(task)) != NULL) {
			char path[64];
			char comm[256];
			char state;
			int ppid, tid = parse_pid(te->d_name);

			if (tid < 0)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
			if (read_stat(path, &state, &ppid, comm, sizeof(comm)) < 0)
				continue; /* thread exited meanwhile */
			printf("%d\t%d\t%c\t%s\n", tid, ppid, state, comm);
		}
		closedir(task);
	}
	closedir(proc);

	if (fflush(stdout) != 0)
		die_errno("write stdout");
	return 0;
}

/*
 * labload taskcpu: TID and the CPU it last ran on, the 39th field of
 * /proc/PID/task/TID/stat (the 37th after the comm's closing parenthesis).
 */
static int cmd_taskcpu(void)
{
	DIR *proc = opendir("/proc");
	struct dirent *pe;

	if (!proc)
		die_errno("opendir /proc");
	printf("#self\t%d\n", (int)getpid());
	while ((pe = readdir(proc)) != NULL) {
		char taskdir[32];
		struct dirent *te;
		DIR *task;
		int pid = parse_pid(pe->d_name);

		if (pid < 0)
			continue;
		snprintf(taskdir, sizeof(taskdir), "/proc/%d/task", pid);
		task = opendir(taskdir);
		if (!task)
			continue;
		while ((te = readdir(task)) != NULL) {
			char path[64], buf[4096], *p;
			int tid = parse_pid(te->d_name), field, fd;
			ssize_t n;

			if (tid < 0)
				continue;
			snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			n = read(fd, buf, sizeof(buf) - 1);
			close(fd);
			if (n <= 0)
				continue;
			buf[n] = '\0';
			p = strrchr(buf, ')');
			if (!p)
				continue;
			/* p + 2 is field 3 (state); step to field 39. */
			p += 2;
			for (field = 3; field < 39 && p; field++) {
				p = strchr(p, ' ');
				if (p)
					p++;
			}
			if (p)
				printf("%d\t%d\n", tid, atoi(p));
		}
		closedir(task);
	}
	closedir(proc);
	if (fflush(stdout) != 0)
		die_errno("write stdout");
	return 0;
}

/* ------------------------------------------------------------------------ */
/* labload workloads                                                        */
/* ------------------------------------------------------------------------ */

/*
 * Every workload task reports {tid, comm} through a shared pipe once its name
 * is set. Records are far smaller than PIPE_BUF, so each write is atomic and
 * records from different tasks never interleave.
 */
struct report {
	int32_t tid;
	char name[16];
};

/* Number of tasks that report; keep in sync with cmd_workloads(). */
#define NR_WORKLOAD_TASKS 13

static int g_sync_rd = -1; /* read end, parent only */
static int g_sync_wr = -1; /* write end, inherited by every workload */

/* Tell the parent that the calling thread is running under this name. */
static void report(const char *name)
{
	struct report r;

	memset(&r, 0, sizeof(r));
	r.tid = (int32_t)gettid();
	snprintf(r.name, sizeof(r.name), "%.15s", name);
	if (write_full(g_sync_wr, &r, sizeof(r)) < 0)
		die_errno("report %s", name);
}

/*
 * Called by a workload process once it (and anything it forked) has reported:
 * dropping the sync write end lets the parent see EOF, rather than hang,
 * should some workload die before reporting.
 */
static void setup_done(void)
{
	detach_stdio();
	close(g_sync_wr);
	g_sync_wr = -1;
}

/*
 * Fork a workload process named name that runs body(name), which must not
 * return. new_session detaches it from the caller's session and terminal so
 * it survives the shell that started labload.
 */
static pid_t spawn(const char *name, void (*body)(const char *name), bool new_session)
{
	pid_t pid = fork();

	if (pid < 0)
		die_errno("fork for %s", name);
	if (pid > 0)
		return pid;

	g_sync_rd = -1; /* closed here along with anything inherited */
	close_fds_except(&g_sync_wr, 1);
	if (new_session && setsid() < 0)
		die_errno("setsid for %s", name);
	set_comm(name);
	body(name);
	_exit(1); /* not reached */
}

static void burner_body(const char *name)
{
	volatile unsigned long spins = 0;

	report(name);
	setup_done();
	for (;;)
		spins++; /* volatile: the loop must really burn CPU */
}

static void sleeper_body(const char *name)
{
	/* ~34 years; repeated anyway in case of a signal or wrap-around. */
	struct timespec ts = { .tv_sec = 1L << 30, .tv_nsec = 0 };

	report(name);
	setup_done();
	for (;;)
		nanosleep(&ts, NULL);
}

static void pause_body(const char *name)
{
	report(name);
	setup_done();
	pause_forever();
}

/*
 * kd_pipewr keeps the write end of a pipe open and never writes, so its child
 * kd_piperd stays blocked in read() on the read end.
 */
static void pipewr_body(const char *name)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		die_errno("pipe");
	pid = fork();
	if (pid < 0)
		die_errno("fork for kd_piperd");
	if (pid == 0) {
		char c;

		close(p[1]);
		set_comm("kd_piperd");
		report("kd_piperd");
		setup_done();
		for (;;) {
			ssize_t n = read(p[0], &c, 1);

			if (n == 0)
				pause_forever(); /* writer gone: just stay around */
		}
	}
	close(p[0]);
	report(name);
	setup_done();
	pause_forever();
}

/*
 * kd_files: the process files, vm, sig and net are checked on. It mounts a tmpfs
 * at /mnt/kd_tmpfs, works in its kd_dir, and holds open: fd 3 a regular file
 * for reading (/lab/modules.list), fd 4 one for writing (kd_dir/kd_out, 5 bytes
 * written), fd 5 /proc/version, fd 6 the directory kd_dir, fd 7 a UDP socket
 * bound to 127.0.0.1:4242, fd 8 a TCP socket listening on 127.0.0.1:4243.
 * It maps 3 anonymous pages (PROT_READ|PROT_WRITE, touched) and modules.list
 * shared read-only. Signals: SIGHUP and SIGUSR2 ignored, SIGUSR1 caught by
 * kd_sigusr1, SIGTERM and SIGQUIT blocked, SIGTERM then raised (pending).
 * The guest prints /proc/PID/{fd,maps,status} as ground truth.
 */
static void kd_sigusr1(int sig)
{
	(void)sig;
}

static void files_dup_to(int fd, int want, const char *what)
{
	if (fd < 0)
		die_errno("open %s", what);
	if (fd != want) {
		if (dup2(fd, want) < 0)
			die_errno("dup2 %s", what);
		close(fd);
	}
}

static void files_body(const char *name)
{
	struct sockaddr_in sin;
	struct sigaction sa;
	sigset_t set;
	char *anon;
	void *filemap;
	int fd;

	/* The sync pipe may sit on one of the fds wanted below: move it up. */
	fd = fcntl(g_sync_wr, F_DUPFD_CLOEXEC, 32);
	if (fd < 0)
		die_errno("move sync fd");
	close(g_sync_wr);
	g_sync_wr = fd;

	mkdir("/mnt", 0755);
	mkdir("/mnt/kd_tmpfs", 0755);
	if (mount("kd_tmpfs", "/mnt/kd_tmpfs", "tmpfs", 0, "size=1m") < 0)
		die_errno("mount tmpfs");
	if (mkdir("/mnt/kd_tmpfs/kd_dir", 0755) < 0 || chdir("/mnt/kd_tmpfs/kd_dir") < 0)
		die_errno("kd_dir");

	/* Low fds first: spawn() closed everything but the sync pipe. */
	files_dup_to(open("/lab/modules.list", O_RDONLY), 3, "modules.list");
	files_dup_to(open("kd_out", O_WRONLY | O_CREAT | O_TRUNC, 0644), 4, "kd_out");
	if (write_full(4, "kdive", 5) < 0)
		die_errno("write kd_out");
	files_dup_to(open("/proc/version", O_RDONLY), 5, "/proc/version");
	files_dup_to(open(".", O_RDONLY | O_DIRECTORY), 6, "kd_dir");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	sin.sin_port = htons(4242);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die_errno("udp socket");
	files_dup_to(fd, 7, "udp socket");
	fd = socket(AF_INET, SOCK_STREAM, 0);
	sin.sin_port = htons(4243);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 4) < 0)
		die_errno("tcp socket");
	files_dup_to(fd, 8, "tcp socket");

	anon = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (anon == MAP_FAILED)
		die_errno("mmap anon");
	memset(anon, 0x6b, 3 * 4096);
	filemap = mmap(NULL, 4096, PROT_READ, MAP_SHARED, 3, 0);
	if (filemap == MAP_FAILED)
		die_errno("mmap modules.list");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sa.sa_handler = kd_sigusr1;
	sa.sa_flags = SA_RESTART;
	sigaddset(&sa.sa_mask, SIGINT);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGQUIT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		die_errno("sigprocmask");
	kill(getpid(), SIGTERM); /* stays pending: blocked */

	report(name);
	setup_done();
	pause_forever();
}

/* kd_tree with two kd_leaf children, all in pause(). */
static void tree_body(const char *name)
{
	spawn("kd_leaf", pause_body, false);
	spawn("kd_leaf", pause_body, false);
	report(name);
	setup_done();
	pause_forever();
}

/* The extra threads of kd_threads report, then meet the main thread here. */
static pthread_barrier_t g_threads_barrier;

static void *thread_body(void *arg)
{
	const char *name = arg;

	set_comm(name); /* PR_SET_NAME names only the calling thread */
	report(name);
	pthread_barrier_wait(&g_threads_barrier);
	pause_forever();
	return NULL;
}

static void threads_body(const char *name)
{
	static const char *const names[] = { "kd_thr1", "kd_thr2" };
	pthread_t th;
	size_t i;
	int err;

	err = pthread_barrier_init(&g_threads_barrier, NULL, ARRAY_SIZE(names) + 1);
	if (err)
		die("pthread_barrier_init: %s", strerror(err));
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		err = pthread_create(&th, NULL, thread_body, (void *)names[i]);
		if (err)
			die("pthread_create %s: %s", names[i], strerror(err));
	}
	report(name);
	/* The sync fd is shared by all threads: close it only after all wrote. */
	pthread_barrier_wait(&g_threads_barrier);
	setup_done();
	pause_forever();
}

static int cmp_report(const void *a, const void *b)
{
	const struct report *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

/*
 * Having reported does not mean being asleep yet: give the tasks that should
 * block a moment to get there, so ground truth taken right after this command
 * sees them in S state. Only warns; the consumer records states itself.
 */
static void wait_until_blocked(const struct report *r, size_t n)
{
	const struct timespec step = { .tv_sec = 0, .tv_nsec = 10 * 1000 * 1000 };
	size_t i;
	int tries;

	for (i = 0; i < n; i++) {
		char path[64], comm[64], state = '?';
		int ppid;

		if (strcmp(r[i].name, "kd_burner") == 0)
			continue;
		/* /proc/<tid> is reachable (though not listed) for any thread. */
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)r[i].tid, (int)r[i].tid);
		for (tries = 0; tries < 500; tries++) {
			if (read_stat(path, &state, &ppid, comm, sizeof(comm)) == 0 && state == 'S')
				break;
			nanosleep(&step, NULL);
		}
		if (state != 'S')
			fprintf(stderr, "labload: warning: %s (%d) is in state %c, not S\n",
				r[i].name, (int)r[i].tid, state);
	}
}

static int cmd_workloads(void)
{
	struct report r[NR_WORKLOAD_TASKS];
	int p[2];
	size_t i;

	if (pipe2(p, O_CLOEXEC) < 0)
		die_errno("pipe");
	g_sync_rd = p[0];
	g_sync_wr = p[1];
	fflush(NULL); /* children must not inherit buffered output */

	spawn("kd_burner", burner_body, true);
	spawn("kd_pipewr", pipewr_body, true); /* + kd_piperd */
	for (i = 0; i < 3; i++)
		spawn("kd_sleeper", sleeper_body, true);
	spawn("kd_tree", tree_body, true);     /* + 2 kd_leaf */
	spawn("kd_threads", threads_body, true); /* + kd_thr1, kd_thr2 */
	spawn("kd_files", files_body, true);

	close(g_sync_wr);
	g_sync_wr = -1;

	for (i = 0; i < NR_WORKLOAD_TASKS; i++) {
		if (read_full_timeout(g_sync_rd, &r[i], sizeof(r[i]), 10000) < 0)
			die_errno("waiting for workloads (%zu of %d reported)", i,
				  NR_WORKLOAD_TASKS);
		r[i].name[sizeof(r[i].name) - 1] = '\0';
	}
	close(g_sync_rd);

	wait_until_blocked(r, NR_WORKLOAD_TASKS);

	qsort(r, NR_WORKLOAD_TASKS, sizeof(r[0]), cmp_report);
	for (i = 0; i < NR_WORKLOAD_TASKS; i++)
		printf("workload\t%d\t%s\n", (int)r[i].tid, r[i].name);
	if (fflush(stdout) != 0)
		die_errno("write stdout");
	return 0;
}

/* ------------------------------------------------------------------------ */
/* labload bpf                                                              */
/* ------------------------------------------------------------------------ */

/* Instruction builders (the UAPI header has none; these mirror the kernel's). */
#define INSN(CODE, DST, SRC, OFF, IMM)                                   \
	((struct bpf_insn){ .code = (CODE), .dst_reg = (DST), .src_reg = (SRC), \
			    .off = (OFF), .imm = (IMM) })
#define MOV64_IMM(DST, IMM)   INSN(BPF_ALU64 | BPF_MOV | BPF_K, DST, 0, 0, IMM)
#define MOV64_REG(DST, SRC)   INSN(BPF_ALU64 | BPF_MOV | BPF_X, DST, SRC, 0, 0)
#define ADD64_IMM(DST, IMM)   INSN(BPF_ALU64 | BPF_ADD | BPF_K, DST, 0, 0, IMM)
#define ST_MEM_W(DST, OFF, IMM) INSN(BPF_ST | BPF_MEM | BPF_W, DST, 0, OFF, IMM)
#define LDX_MEM_DW(DST, SRC, OFF) INSN(BPF_LDX | BPF_MEM | BPF_DW, DST, SRC, OFF, 0)
#define JEQ_IMM(DST, IMM, OFF) INSN(BPF_JMP | BPF_JEQ | BPF_K, DST, 0, OFF, IMM)
#define CALL(FUNC)            INSN(BPF_JMP | BPF_CALL, 0, 0, 0, FUNC)
#define EXIT_INSN()           INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
/* Two instructions: DST = map referenced by fd (resolved by the verifier). */
#define LD_MAP_FD(DST, FD)                                        \
	INSN(BPF_LD | BPF_DW | BPF_IMM, DST, BPF_PSEUDO_MAP_FD, 0, FD), \
	INSN(0, 0, 0, 0, 0)

/*
 * r0 = lookup(map, key) with a u32 key stored at r10+STACK_OFF; if found,
 * load the u64 value (so the program really dereferences the map value).
 * 8 instructions.
 */
#define LOOKUP_U32(MAP_FD, KEY, STACK_OFF)        \
	ST_MEM_W(BPF_REG_10, STACK_OFF, KEY),     \
	MOV64_REG(BPF_REG_2, BPF_REG_10),         \
	ADD64_IMM(BPF_REG_2, STACK_OFF),          \
	LD_MAP_FD(BPF_REG_1, MAP_FD),             \
	CALL(BPF_FUNC_map_lookup_elem),           \
	JEQ_IMM(BPF_REG_0, 0, 1),                 \
	LDX_MEM_DW(BPF_REG_0, BPF_REG_0, 0)

static long sys_bpf(enum bpf_cmd cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

static void set_obj_name(char dst[BPF_OBJ_NAME_LEN], const char *name)
{
	size_t len = strlen(name);

	if (len >= BPF_OBJ_NAME_LEN)
		die("BPF object name too long: %s", name);
	memcpy(dst, name, len + 1);
}

/* A map whose keys and values are described by BTF type IDs in btf_fd (0, 0, 0: none). */
static int map_create_btf(const char *name, enum bpf_map_type type, unsigned key_size,
			  unsigned value_size, unsigned max_entries, int btf_fd,
			  uint32_t key_type_id, uint32_t value_type_id)
{
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	attr.btf_fd = (uint32_t)btf_fd;
	attr.btf_key_type_id = key_type_id;
	attr.btf_value_type_id = value_type_id;
	set_obj_name(attr.map_name, name);

	fd = (int)sys_bpf(BPF_MAP_CREATE, &attr);
	if (fd < 0)
		die_errno("BPF_MAP_CREATE %s", name);
	return fd;
}

static int map_create(const char *name, enum bpf_map_type type, unsigned key_size,
		      unsigned value_size, unsigned max_entries)
{
	return map_create_btf(name, type, key_size, value_size, max_entries, 0, 0, 0);
}

static void map_update(int fd, const char *name, const void *key, const void *value)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = (uint64_t)(uintptr_t)key;
	attr.value = (uint64_t)(uintptr_t)value;
	attr.flags = BPF_ANY;
	if (sys_bpf(BPF_MAP_UPDATE_ELEM, &attr) < 0)
		die_errno("BPF_MAP_UPDATE_ELEM %s", name);
}

static void map_lookup(int fd, const char *name, const void *key, void *value)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = (uint64_t)(uintptr_t)key;
	attr.value = (uint64_t)(uintptr_t)value;
	if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &attr) < 0)
		die_errno("BPF_MAP_LOOKUP_ELEM %s", name);
}

/* LINUX_VERSION_CODE of the running kernel, from uname's release. */
static uint32_t running_kernel_version(void)
{
	struct utsname u;
	unsigned a = 0, b = 0, c = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%u.%u.%u", &a, &b, &c) < 2)
		return 0;
	return (a << 16) + (b << 8) + (c > 255 ? 255 : c);
}

static int prog_load(const char *name, enum bpf_prog_type type,
		     const struct bpf_insn *insns, size_t insn_cnt)
{
	static char log_buf[64 * 1024];
	union bpf_attr attr;
	int fd, err;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = type;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = (uint32_t)insn_cnt;
	attr.license = (uint64_t)(uintptr_t)"GPL";
	attr.kern_version = 0;
	set_obj_name(attr.prog_name, name);

	fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
	/* Kernels before 5.0 insisted on kern_version for kprobes; 6.1 ignores it. */
	if (fd < 0 && errno == EINVAL && type == BPF_PROG_TYPE_KPROBE) {
		attr.kern_version = running_kernel_version();
		fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
	}
	if (fd >= 0)
		return fd;

	/* Retry with the verifier log so the failure can be diagnosed. */
	err = errno;
	log_buf[0] = '\0';
	attr.log_level = 1;
	attr.log_buf = (uint64_t)(uintptr_t)log_buf;
	attr.log_size = sizeof(log_buf);
	fd = (int)sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd >= 0)
		return fd; /* succeeded this time after all */
	log_buf[sizeof(log_buf) - 1] = '\0';
	if (log_buf[0])
		fprintf(stderr, "labload: verifier log for %s:\n%s\n", name, log_buf);
	errno = err;
	die_errno("BPF_PROG_LOAD %s", name);
}

static void obj_get_info(int fd, void *info, uint32_t len, const char *what)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = (uint32_t)fd;
	attr.info.info_len = len;
	attr.info.info = (uint64_t)(uintptr_t)info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) < 0)
		die_errno("BPF_OBJ_GET_INFO_BY_FD %s", what);
}

/* Print a map's info line; returns its id. */
static uint32_t print_map_info(int fd, const char *name)
{
	struct bpf_map_info info;

	memset(&info, 0, sizeof(info));
	obj_get_info(fd, &info, sizeof(info), name);
	printf("map\t%u\t%u\t%.*s\t%u\t%u\t%u\t%u\n", info.id, info.type,
	       (int)sizeof(info.name), info.name, info.key_size, info.value_size,
	       info.max_entries, info.map_flags);
	return info.id;
}

static void print_prog_info(int fd, const char *name)
{
	struct bpf_prog_info info;
	uint32_t map_ids[16];
	char tag[2 * BPF_TAG_SIZE + 1];
	uint32_t i, n;

	memset(&info, 0, sizeof(info));
	memset(map_ids, 0, sizeof(map_ids));
	info.nr_map_ids = ARRAY_SIZE(map_ids);
	info.map_ids = (uint64_t)(uintptr_t)map_ids;
	obj_get_info(fd, &info, sizeof(info), name);

	hex_bytes(info.tag, sizeof(info.tag), tag);
	printf("prog\t%u\t%u\t%.*s\t%s\t%u\t%u\t", info.id, info.type,
	       (int)sizeof(info.name), info.name, tag, info.jited_prog_len,
	       info.xlated_prog_len);
	/* The kernel reports the total count, which may exceed what fit. */
	n = info.nr_map_ids < ARRAY_SIZE(map_ids) ? info.nr_map_ids : ARRAY_SIZE(map_ids);
	if (n == 0)
		fputs("-", stdout);
	for (i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", map_ids[i]);
	putchar('\n');
}

/* Read back key from the map, check it holds want, print a mapval line. */
static void print_mapval(int fd, uint32_t map_id, const char *name, const void *key,
			 size_t key_size, const void *want, size_t value_size,
			 size_t lookup_size)
{
	char khex[2 * 64 + 1], vhex[2 * 64 + 1];
	unsigned char got[4096];

	if (key_size > 64 || value_size > 64 || lookup_size > sizeof(got))
		die("mapval too large for %s", name);
	memset(got, 0, sizeof(got));
	map_lookup(fd, name, key, got);
	if (memcmp(got, want, value_size) != 0)
		die("%s: value read back differs from the one written", name);

	hex_bytes(key, key_size, khex);
	hex_bytes(got, value_size, vhex);
	printf("mapval\t%u\t%s\t%s\n", map_id, khex, vhex);
}

/*
 * Number of possible CPUs, from /sys/devices/system/cpu/possible
 * (e.g. "0-3" or "0,2-5"). Per-CPU map values hold one slot per possible CPU.
 */
static unsigned nr_possible_cpus(void)
{
	char buf[256], *p;
	unsigned n = 0;
	FILE *f;

	f = fopen("/sys/devices/system/cpu/possible", "re");
	if (!f)
		die_errno("open /sys/devices/system/cpu/possible");
	if (!fgets(buf, sizeof(buf), f))
		die("cannot read /sys/devices/system/cpu/possible");
	fclose(f);

	for (p = buf; *p && *p != '\n';) {
		char *end;
		unsigned long a = strtoul(p, &end, 10), b = a;

		if (end == p)
			die("cannot parse cpu list: %s", buf);
		if (*end == '-') {
			p = end + 1;
			b = strtoul(p, &end, 10);
			if (end == p || b < a)
				die("cannot parse cpu list: %s", buf);
		}
		n += (unsigned)(b - a + 1);
		p = end;
		if (*p == ',')
			p++;
	}
	if (n == 0)
		die("no possible CPUs in: %s", buf);
	return n;
}

/*
 * kd_typed: a hash map whose key and value types are described by BTF, so a
 * reader of the dump can print its entries typed. The BTF is built by hand
 * (what clang would emit for the C below) and loaded with BPF_BTF_LOAD.
 *
 *   typedef unsigned int __u32; typedef int __s32; typedef unsigned long long __u64;
 *   enum kd_state { KD_IDLE, KD_BUSY, KD_DONE };
 *   struct kd_val { __u32 count; __s32 delta; __u64 stamp; char tag[8];
 *                   enum kd_state state; unsigned int prio:4, weight:12; };
 */
enum kd_state { KD_IDLE, KD_BUSY, KD_DONE };

struct kd_val {
	uint32_t count;
	int32_t delta;
	uint64_t stamp;
	char tag[8];
	enum kd_state state; /* 4 bytes: the BTF below says so */
	unsigned int prio : 4, weight : 12;
};

_Static_assert(sizeof(struct kd_val) == 32, "struct kd_val layout");
_Static_assert(sizeof(enum kd_state) == 4, "enum kd_state size");

/* Type IDs of the blob, in the order kd_btf_build() emits them. */
enum {
	KD_BTF_UINT = 1, KD_BTF_U32, KD_BTF_INT, KD_BTF_S32, KD_BTF_ULL, KD_BTF_U64,
	KD_BTF_CHAR, KD_BTF_TAG_ARRAY, KD_BTF_STATE, KD_BTF_VAL,
};

struct btf_blob {
	uint32_t types[128];
	size_t ntypes; /* words used */
	char strs[512];
	size_t nstrs;  /* bytes used; offset 0 is the empty name */
};

static void btf_word(struct btf_blob *b, uint32_t w)
{
	if (b->ntypes >= ARRAY_SIZE(b->types))
		die("BTF type section overflow");
	b->types[b->ntypes++] = w;
}

static uint32_t btf_str(struct btf_blob *b, const char *s)
{
	size_t len = strlen(s) + 1;
	uint32_t off = (uint32_t)b->nstrs;

	if (b->nstrs + len > sizeof(b->strs))
		die("BTF string section overflow");
	memcpy(b->strs + b->nstrs, s, len);
	b->nstrs += len;
	return off;
}

/* struct btf_type: name, info (kind, kind_flag, vlen), size or type. */
static void btf_type_hdr(struct btf_blob *b, const char *name, uint32_t kind, uint32_t kflag,
			 uint32_t vlen, uint32_t size_or_type)
{
	btf_word(b, name ? btf_str(b, name) : 0);
	btf_word(b, kind << 24 | kflag << 31 | vlen);
	btf_word(b, size_or_type);
}

static void btf_int(struct btf_blob *b, const char *name, uint32_t size, uint32_t encoding)
{
	btf_type_hdr(b, name, BTF_KIND_INT, 0, 0, size);
	btf_word(b, encoding << 24 | size * 8);
}

static void btf_member(struct btf_blob *b, const char *name, uint32_t type, uint32_t bit_off,
		       uint32_t bitfield_size)
{
	btf_word(b, btf_str(b, name));
	btf_word(b, type);
	btf_word(b, bitfield_size << 24 | bit_off);
}

static void kd_btf_build(struct btf_blob *b)
{
	memset(b, 0, sizeof(*b));
	b->nstrs = 1;
	btf_int(b, "unsigned int", 4, 0);                            /* 1 */
	btf_type_hdr(b, "__u32", BTF_KIND_TYPEDEF, 0, 0, KD_BTF_UINT); /* 2 */
	btf_int(b, "int", 4, BTF_INT_SIGNED);                        /* 3 */
	btf_type_hdr(b, "__s32", BTF_KIND_TYPEDEF, 0, 0, KD_BTF_INT); /* 4 */
	btf_int(b, "unsigned long long", 8, 0);                      /* 5 */
	btf_type_hdr(b, "__u64", BTF_KIND_TYPEDEF, 0, 0, KD_BTF_ULL); /* 6 */
	btf_int(b, "char", 1, BTF_INT_SIGNED);                       /* 7: as clang emits it */
	btf_type_hdr(b, NULL, BTF_KIND_ARRAY, 0, 0, 0);              /* 8: char[8] */
	btf_word(b, KD_BTF_CHAR);
	btf_word(b, KD_BTF_UINT);
	btf_word(b, 8);
	btf_type_hdr(b, "kd_state", BTF_KIND_ENUM, 0, 3, 4);         /* 9 */
	btf_word(b, btf_str(b, "KD_IDLE"));
	btf_word(b, KD_IDLE);
	btf_word(b, btf_str(b, "KD_BUSY"));
	btf_word(b, KD_BUSY);
	btf_word(b, btf_str(b, "KD_DONE"));
	btf_word(b, KD_DONE);
	/* kind_flag: member offsets carry bit-field sizes. */
	btf_type_hdr(b, "kd_val", BTF_KIND_STRUCT, 1, 7, sizeof(struct kd_val)); /* 10 */
	btf_member(b, "count", KD_BTF_U32, 0, 0);
	btf_member(b, "delta", KD_BTF_S32, 32, 0);
	btf_member(b, "stamp", KD_BTF_U64, 64, 0);
	btf_member(b, "tag", KD_BTF_TAG_ARRAY, 128, 0);
	btf_member(b, "state", KD_BTF_STATE, 192, 0);
	btf_member(b, "prio", KD_BTF_UINT, 224, 4);
	btf_member(b, "weight", KD_BTF_UINT, 228, 12);
}

/* Load the blob: header, then the type and string sections. Returns the BTF fd. */
static int kd_btf_load(void)
{
	static char log_buf[16 * 1024];
	static unsigned char raw[sizeof(struct btf_header) + sizeof(((struct btf_blob *)0)->types) +
				 sizeof(((struct btf_blob *)0)->strs)];
	struct btf_header hdr;
	struct btf_blob b;
	union bpf_attr attr;
	size_t tlen, size;
	int fd, err;

	kd_btf_build(&b);
	tlen = b.ntypes * sizeof(uint32_t);
	memset(&hdr, 0, sizeof(hdr));
	hdr.magic = BTF_MAGIC;
	hdr.version = BTF_VERSION;
	hdr.hdr_len = sizeof(hdr);
	hdr.type_off = 0;
	hdr.type_len = (uint32_t)tlen;
	hdr.str_off = (uint32_t)tlen;
	hdr.str_len = (uint32_t)b.nstrs;
	size = sizeof(hdr) + tlen + b.nstrs;
	memcpy(raw, &hdr, sizeof(hdr));
	memcpy(raw + sizeof(hdr), b.types, tlen);
	memcpy(raw + sizeof(hdr) + tlen, b.strs, b.nstrs);

	memset(&attr, 0, sizeof(attr));
	attr.btf = (uint64_t)(uintptr_t)raw;
	attr.btf_size = (uint32_t)size;
	fd = (int)sys_bpf(BPF_BTF_LOAD, &attr);
	if (fd >= 0)
		return fd;
	/* Retry with the kernel's log so a rejected blob says why. */
	err = errno;
	log_buf[0] = '\0';
	attr.btf_log_buf = (uint64_t)(uintptr_t)log_buf;
	attr.btf_log_size = sizeof(log_buf);
	attr.btf_log_level = 1;
	fd = (int)sys_bpf(BPF_BTF_LOAD, &attr);
	if (fd >= 0)
		return fd;
	log_buf[sizeof(log_buf) - 1] = '\0';
	if (log_buf[0])
		fprintf(stderr, "labload: BTF log:\n%s\n", log_buf);
	errno = err;
	die_errno("BPF_BTF_LOAD");
}

/*
 * A char array as gdb prints it (what crash's `p` shows): one trailing NUL
 * dropped, other non-printing bytes as octal escapes, and a digit right after
 * an octal escape escaped too, so "\0001" cannot read as one escape.
 */
static void gdb_chars(const char *s, size_t len, char *out, size_t outsz)
{
	size_t i, o = 0;
	int after_escape = 0;

	if (len > 0 && s[len - 1] == '\0')
		len--;
	out[o++] = '"';
	for (i = 0; i < len && o + 6 < outsz; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || (after_escape && isdigit(c))) {
			o += (size_t)sprintf(out + o, "\\%03o", c);
			after_escape = 1;
			continue;
		}
		after_escape = 0;
		if (c == '"' || c == '\\')
			out[o++] = '\\';
		out[o++] = (char)c;
	}
	out[o++] = '"';
	out[o] = '\0';
}

static const char *kd_state_name(enum kd_state s)
{
	switch (s) {
	case KD_IDLE: return "KD_IDLE";
	case KD_BUSY: return "KD_BUSY";
	case KD_DONE: return "KD_DONE";
	}
	return "?";
}

/*
 * The typed truth of one kd_typed entry, as gdb prints a __u32 and a struct
 * kd_val on one line: integers in decimal, the enum by name, the char array
 * as a string.
 */
static void print_maptyped(uint32_t map_id, uint32_t key, const struct kd_val *v)
{
	char tag[8 * 4 + 3];

	gdb_chars(v->tag, sizeof(v->tag), tag, sizeof(tag));
	printf("maptyped\t%u\t%u\t{count = %u, delta = %d, stamp = %llu, tag = %s, "
	       "state = %s, prio = %u, weight = %u}\n",
	       map_id, key, v->count, v->delta, (unsigned long long)v->stamp, tag,
	       kd_state_name(v->state), v->prio, v->weight);
}

static int cmd_bpf(void)
{
	static const uint32_t hash_keys[] = { 1, 2, 3, 42 };
	static const uint64_t hash_vals[] = { 0xdead0001, 0xdead0002, 0xdead0003, 0xdead002a };
	static const uint32_t typed_keys[] = { 7, 1, 42 };
	static const struct kd_val typed_vals[] = {
		{ 7, -3, 0x1122334455667788ULL, "seven", KD_BUSY, 5, 300 },
		{ 1, 100, 0, "one", KD_IDLE, 0, 1 },
		/* All 8 tag bytes used: no NUL to drop. */
		{ 42, INT32_MIN, UINT64_MAX, { 'f', 'o', 'r', 't', 'y', 't', 'w', 'o' }, KD_DONE, 15, 4095 },
	};
	int array_fd, hash_fd, pcpu_fd, ringbuf_fd, btf_fd, typed_fd;
	int sockfilt_fd, tp_fd, kprobe_fd, xdp_fd;
	uint32_t array_id, hash_id, pcpu_id, typed_id;
	struct bpf_map_info typed_info;
	unsigned ncpus = nr_possible_cpus();
	uint64_t *pcpu_val;
	uint32_t key;
	uint64_t val;
	size_t i;
	int p[2];
	pid_t pid;
	char c;

	/* Maps */
	array_fd = map_create("kd_array", BPF_MAP_TYPE_ARRAY, 4, 8, 16);
	hash_fd = map_create("kd_hash", BPF_MAP_TYPE_HASH, 4, 8, 64);
	pcpu_fd = map_create("kd_pcpu", BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4);
	/* Ring buffer size must be a power-of-2 multiple of the page size. */
	ringbuf_fd = map_create("kd_ringbuf", BPF_MAP_TYPE_RINGBUF, 0, 0,
				(unsigned)sysconf(_SC_PAGESIZE) * 4);
	/* After the others, so their IDs stay what they were before it existed. */
	btf_fd = kd_btf_load();
	typed_fd = map_create_btf("kd_typed", BPF_MAP_TYPE_HASH, sizeof(uint32_t),
				  sizeof(struct kd_val), 8, btf_fd, KD_BTF_U32, KD_BTF_VAL);
	close(btf_fd); /* the map holds its own reference to the BTF */

	for (key = 0; key < 16; key++) {
		val = 0x1000 + (uint64_t)key * key;
		map_update(array_fd, "kd_array", &key, &val);
	}
	for (i = 0; i < ARRAY_SIZE(hash_keys); i++)
		map_update(hash_fd, "kd_hash", &hash_keys[i], &hash_vals[i]);

	/* Per-CPU values are passed as one 8-byte-aligned slot per possible CPU. */
	pcpu_val = calloc(ncpus, sizeof(*pcpu_val));
	if (!pcpu_val)
		die("out of memory");
	for (i = 0; i < ncpus; i++)
		pcpu_val[i] = 7;
	key = 0;
	map_update(pcpu_fd, "kd_pcpu", &key, pcpu_val);
	for (i = 0; i < ARRAY_SIZE(typed_keys); i++)
		map_update(typed_fd, "kd_typed", &typed_keys[i], &typed_vals[i]);

	/* Programs */
	{
		const struct bpf_insn sockfilt[] = {
			LOOKUP_U32(array_fd, 0, -4),
			MOV64_IMM(BPF_REG_0, 0),
			EXIT_INSN(),
		};
		const struct bpf_insn tp[] = {
			LOOKUP_U32(hash_fd, 1, -4),
			LOOKUP_U32(pcpu_fd, 0, -8),
			MOV64_IMM(BPF_REG_0, 0),
			EXIT_INSN(),
		};
		const struct bpf_insn kprobe[] = {
			CALL(BPF_FUNC_ktime_get_ns),
			MOV64_IMM(BPF_REG_0, 0),
			EXIT_INSN(),
		};
		const struct bpf_insn xdp[] = {
			MOV64_IMM(BPF_REG_0, XDP_PASS),
			EXIT_INSN(),
		};

		sockfilt_fd = prog_load("kd_sockfilt", BPF_PROG_TYPE_SOCKET_FILTER,
					sockfilt, ARRAY_SIZE(sockfilt));
		tp_fd = prog_load("kd_tp", BPF_PROG_TYPE_TRACEPOINT, tp, ARRAY_SIZE(tp));
		kprobe_fd = prog_load("kd_kprobe", BPF_PROG_TYPE_KPROBE, kprobe,
				      ARRAY_SIZE(kprobe));
		xdp_fd = prog_load("kd_xdp", BPF_PROG_TYPE_XDP, xdp, ARRAY_SIZE(xdp));
	}

	/* What the kernel reports */
	array_id = print_map_info(array_fd, "kd_array");
	hash_id = print_map_info(hash_fd, "kd_hash");
	pcpu_id = print_map_info(pcpu_fd, "kd_pcpu");
	print_map_info(ringbuf_fd, "kd_ringbuf");
	typed_id = print_map_info(typed_fd, "kd_typed");
	/* mapbtf MAP_ID BTF_ID KEY_TYPE_ID VALUE_TYPE_ID */
	memset(&typed_info, 0, sizeof(typed_info));
	obj_get_info(typed_fd, &typed_info, sizeof(typed_info), "kd_typed");
	printf("mapbtf\t%u\t%u\t%u\t%u\n", typed_id, typed_info.btf_id,
	       typed_info.btf_key_type_id, typed_info.btf_value_type_id);

	print_prog_info(sockfilt_fd, "kd_sockfilt");
	print_prog_info(tp_fd, "kd_tp");
	print_prog_info(kprobe_fd, "kd_kprobe");
	print_prog_info(xdp_fd, "kd_xdp");

	for (key = 0; key < 16; key++) {
		val = 0x1000 + (uint64_t)key * key;
		print_mapval(array_fd, array_id, "kd_array", &key, sizeof(key), &val,
			     sizeof(val), sizeof(val));
	}
	for (i = 0; i < ARRAY_SIZE(hash_keys); i++)
		print_mapval(hash_fd, hash_id, "kd_hash", &hash_keys[i], sizeof(hash_keys[i]),
			     &hash_vals[i], sizeof(hash_vals[i]), sizeof(hash_vals[i]));
	/* Lookup fills every CPU's slot; only the first CPU's is printed. */
	key = 0;
	print_mapval(pcpu_fd, pcpu_id, "kd_pcpu", &key, sizeof(key), &pcpu_val[0],
		     sizeof(pcpu_val[0]), ncpus * sizeof(pcpu_val[0]));
	free(pcpu_val);
	for (i = 0; i < ARRAY_SIZE(typed_keys); i++)
		print_mapval(typed_fd, typed_id, "kd_typed", &typed_keys[i], sizeof(typed_keys[i]),
			     &typed_vals[i], sizeof(typed_vals[i]), sizeof(typed_vals[i]));
	for (i = 0; i < ARRAY_SIZE(typed_keys); i++)
		print_maptyped(typed_id, typed_keys[i], &typed_vals[i]);

	if (fflush(stdout) != 0)
		die_errno("write stdout");

	/*
	 * The objects live as long as an fd refers to them (nothing is pinned or
	 * attached), so leave a process holding all of them.
	 */
	if (pipe2(p, O_CLOEXEC) < 0)
		die_errno("pipe");
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		const int keep[] = { array_fd, hash_fd, pcpu_fd, ringbuf_fd, typed_fd,
				     sockfilt_fd, tp_fd, kprobe_fd, xdp_fd, p[1] };

		close_fds_except(keep, ARRAY_SIZE(keep)); /* also closes p[0] */
		if (setsid() < 0)
			die_errno("setsid");
		set_comm("kd_bpf");
		detach_stdio();
		c = 1;
		if (write_full(p[1], &c, 1) < 0)
			_exit(1);
		close(p[1]);
		pause_forever();
	}
	close(p[1]);
	if (read_full_timeout(p[0], &c, 1, 10000) < 0)
		die_errno("waiting for kd_bpf (pid %d)", (int)pid);
	close(p[0]);
	return 0;
}

/* ------------------------------------------------------------------------ */

static void usage(void)
{
	fputs("usage: labload workloads|bpf|ps|taskcpu\n"
	      "  workloads  start named workload processes and threads, print them\n"
	      "  bpf        create named BPF maps and programs, print their info,\n"
	      "             and leave a kd_bpf process holding them\n"
	      "  ps         print tid, ppid, state and comm of every thread\n"
	      "  taskcpu    print tid and the CPU it last ran on for every thread\n",
	      stderr);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		usage();
		return 2;
	}
	if (strcmp(argv[1], "workloads") == 0)
		return cmd_workloads();
	if (strcmp(argv[1], "bpf") == 0)
		return cmd_bpf();
	if (strcmp(argv[1], "ps") == 0)
		return cmd_ps();
	if (strcmp(argv[1], "taskcpu") == 0)
		return cmd_taskcpu();
	usage();
	return 2;
}
