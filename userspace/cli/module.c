// SPDX-License-Identifier: GPL-2.0
/*
 * ipcchan(1): the module commands.  load and unload go through libkmod
 * (the library behind modprobe/insmod/rmmod); status reads /sys/module and
 * asks the module itself with IPCCHAN_IOC_MODINFO.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libkmod.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define SYS_MODULE	"/sys/module/" MODULE_NAME

static const struct option help_only[] = {
	{ "help", no_argument, NULL, 'h' }, { 0 }
};

/* Returns -1 to go on, else the exit status (after --help or an error). */
static int no_options(int argc, char **argv)
{
	int c = next_opt(argc, argv, "+:h", help_only);

	if (c == -1)
		return -1;
	if (c == 'h') {
		print_cmd_help(find_cmd(cur_cmd));
		return EXIT_OK;
	}
	if (c == OPT_BAD)
		return EXIT_USAGE;
	return usage_err("unhandled option");
}

static int module_loaded(void)
{
	struct stat st;

	return stat(SYS_MODULE, &st) == 0;
}

static long module_refcnt(void)
{
	FILE *f = fopen(SYS_MODULE "/refcnt", "re");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* libkmod logs to stderr by default; we explain errors ourselves. */
static void quiet_log(void *data, int priority, const char *file, int line,
		      const char *fn, const char *format, va_list args)
{
	(void)data; (void)priority; (void)file; (void)line; (void)fn;
	(void)format; (void)args;
}

static struct kmod_ctx *kmod_open(void)
{
	struct kmod_ctx *ctx = kmod_new(NULL, NULL);

	if (ctx)
		kmod_set_log_fn(ctx, quiet_log, NULL);
	return ctx;
}

static int looks_like_path(const char *a)
{
	size_t n = strlen(a);

	if (strchr(a, '/') || (n > 3 && !strcmp(a + n - 3, ".ko")))
		return 1;
	if (n > 6 && strstr(a, ".ko."))		/* compressed: .ko.xz etc. */
		return 1;
	return !strchr(a, '=') && access(a, F_OK) == 0;
}

static int valid_param(const char *p)
{
	const char *eq = strchr(p, '=');
	size_t klen = eq ? (size_t)(eq - p) : strlen(p);
	size_t i;

	if (!klen)
		return 0;
	for (i = 0; i < klen; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9') || p[i] == '_' || p[i] == '-'))
			return 0;
	/* Spaces and quotes would change how the kernel splits options. */
	return !strpbrk(p, " \t\n\"");
}

/* /dev/ipcchan is created by devtmpfs at registration; give it a moment. */
static void wait_for_device(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	for (i = 0; i < 200 && access(IPCCHAN_DEVICE, F_OK); i++)
		nanosleep(&ts, NULL);
}

/*
 * The NAME=VALUE parameters argv[i..] as one space-separated string in
 * *opts (NULL when there are none); returns -1 to go on, else the exit
 * status.
 */
static int join_params(int argc, char **argv, int i, char **opts)
{
	size_t olen = 0;

	*opts = NULL;
	for (; i < argc; i++) {
		size_t l = strlen(argv[i]);
		char *no;

		if (!valid_param(argv[i])) {
			free(*opts);
			*opts = NULL;
			return usage_err("invalid module parameter '%s': expected NAME=VALUE",
					 quote(argv[i]));
		}
		no = realloc(*opts, olen + l + 2);
		if (!no) {
			free(*opts);
			*opts = NULL;
			return fail("out of memory (ENOMEM)");
		}
		*opts = no;
		if (olen)
			(*opts)[olen++] = ' ';
		memcpy(*opts + olen, argv[i], l + 1);
		olen += l;
	}
	return -1;
}

/* What kmod_module_insert_module() returning ret means, as an exit status. */
static int insert_result(int ret, const char *path, const char *opts)
{
	struct utsname u;

	switch (-ret) {
	case 0:
		wait_for_device();
		return EXIT_OK;
	case EEXIST:
		return fail("module %s is already loaded (EEXIST)", MODULE_NAME);
	case EPERM:
		return fail("not permitted to load %s: are you root? (EPERM)",
			    MODULE_NAME);
	case ENOENT:
		uname(&u);
		return path ? fail("no module file '%s' (ENOENT)", quote(path)) :
		       fail("module %s is not installed for kernel %s; give the path of ipcchan.ko (ENOENT)",
			    MODULE_NAME, u.release);
	case ENOEXEC:
		uname(&u);
		return fail("'%s' is not a valid module for kernel %s (ENOEXEC)",
			    quote(path ? path : MODULE_NAME), u.release);
	case EINVAL:
		return fail("the module refused its parameters '%s'; see dmesg (EINVAL)",
			    quote(opts ? opts : ""));
	case ENOSYS:
		return fail("this kernel does not support loadable modules (ENOSYS)");
	default:
		return fail("cannot load %s: %s (%s)", MODULE_NAME,
			    strerror(-ret), errname(ret));
	}
}

/* Insert the module at path, or the installed one, with opts. */
static int load_module(const char *path, const char *opts)
{
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	int ret;

	ctx = kmod_open();
	if (!ctx)
		return fail("cannot initialise libkmod (ENOMEM)");
	if (path)
		ret = kmod_module_new_from_path(ctx, path, &mod);
	else
		ret = kmod_module_new_from_name(ctx, MODULE_NAME, &mod);
	if (ret < 0) {
		if (path && ret == -ENOENT)
			ret = fail("no module file '%s' (ENOENT)", quote(path));
		else
			ret = fail("cannot use module '%s': %s (%s)",
				   quote(path ? path : MODULE_NAME),
				   strerror(-ret), errname(ret));
	} else {
		ret = insert_result(kmod_module_insert_module(mod, 0,
							      opts ? opts : ""),
				    path, opts);
	}
	if (mod)
		kmod_module_unref(mod);
	kmod_unref(ctx);
	return ret;
}

int cmd_load(int argc, char **argv)
{
	const char *path = NULL;
	char *opts;
	int ret, i;

	ret = no_options(argc, argv);
	if (ret >= 0)
		return ret;
	i = optind;
	if (i < argc && looks_like_path(argv[i]))
		path = argv[i++];
	ret = join_params(argc, argv, i, &opts);
	if (ret >= 0)
		return ret;
	if (module_loaded())
		ret = fail("module %s is already loaded (EEXIST)", MODULE_NAME);
	else
		ret = load_module(path, opts);
	free(opts);
	return ret;
}

static int explain_busy(void)
{
	long n = module_refcnt();

	if (n > 0)
		return fail("module %s is in use by %ld file%s: close them first (EBUSY)",
			    MODULE_NAME, n, n == 1 ? "" : "s");
	return fail("module %s is in use (EBUSY)", MODULE_NAME);
}

/*
 * Unloading frees every channel: say so, with the names this IPC
 * namespace sees (/proc/ipcchan lists only those).
 */
static void say_destroyed(const struct ipcchan_entry *list, int n)
{
	msg("destroyed %d channel%s with the module: '%s'%s%s%s", n,
	    n == 1 ? "" : "s", list[0].name, n > 1 ? ", '" : "",
	    n > 1 ? list[1].name : "", n > 2 ? "', ..." : n > 1 ? "'" : "");
}

int cmd_unload(int argc, char **argv)
{
	struct ipcchan_entry *list = NULL;
	struct kmod_module *mod = NULL;
	struct kmod_ctx *ctx;
	int ret, nchan;

	ret = no_options(argc, argv);
	if (ret >= 0)
		return ret;
	if (optind < argc)
		return usage_err("unexpected argument '%s'", quote(argv[optind]));
	if (!module_loaded())
		return fail("module %s is not loaded (ENOENT)", MODULE_NAME);
	ctx = kmod_open();
	if (!ctx)
		return fail("cannot initialise libkmod (ENOMEM)");
	ret = kmod_module_new_from_name(ctx, MODULE_NAME, &mod);
	if (ret < 0) {
		ret = fail("cannot use module %s: %s (%s)", MODULE_NAME,
			   strerror(-ret), errname(ret));
		goto out;
	}
	nchan = ipcchan_list(&list);
	ret = kmod_module_remove_module(mod, 0);
	switch (-ret) {
	case 0:
		ret = EXIT_OK;
		if (nchan > 0)
			say_destroyed(list, nchan);
		break;
	case EBUSY:
	case EAGAIN:
		ret = explain_busy();
		break;
	case ENOENT:
		ret = fail("module %s is not loaded (ENOENT)", MODULE_NAME);
		break;
	case EPERM:
		ret = fail("not permitted to unload %s: are you root? (EPERM)",
			   MODULE_NAME);
		break;
	default:
		ret = fail("cannot unload %s: %s (%s)", MODULE_NAME,
			   strerror(-ret), errname(ret));
	}
out:
	ipcchan_list_free(list);
	if (mod)
		kmod_module_unref(mod);
	kmod_unref(ctx);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_params(void)
{
	DIR *d = opendir(SYS_MODULE "/parameters");
	char *names[128];
	struct dirent *de;
	size_t n = 0, i;

	if (!d) {
		printf("parameters: (none readable)\n");
		return;
	}
	while ((de = readdir(d)) && n < 128) {
		if (de->d_name[0] == '.')
			continue;
		names[n] = strdup(de->d_name);
		if (names[n])
			n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_str);
	printf("parameters:\n");
	for (i = 0; i < n; i++) {
		char path[512], val[256] = "?";
		FILE *f;

		snprintf(path, sizeof(path), SYS_MODULE "/parameters/%s",
			 names[i]);
		f = fopen(path, "re");
		if (f) {
			if (fgets(val, sizeof(val), f))
				val[strcspn(val, "\n")] = '\0';
			fclose(f);
		}
		printf("  %s = %s\n", quote(names[i]), quote(val));
		free(names[i]);
	}
}

int cmd_status(int argc, char **argv)
{
	static const char *const feats[] = {
		"msg", "batch", "rdwr", "poll", "ring", "proc",
	};
	struct ipcchan_modinfo mi;
	char state[64] = "";
	FILE *f;
	size_t i;
	int ret;

	ret = no_options(argc, argv);
	if (ret >= 0)
		return ret;
	if (optind < argc)
		return usage_err("unexpected argument '%s'", quote(argv[optind]));
	if (!module_loaded()) {
		printf("module: %s not loaded\n", MODULE_NAME);
		return EXIT_FAIL;
	}
	f = fopen(SYS_MODULE "/initstate", "re");
	if (f) {
		if (fgets(state, sizeof(state), f))
			state[strcspn(state, "\n")] = '\0';
		fclose(f);
	}
	printf("module: %s loaded (%s)\n", MODULE_NAME, state[0] ? state : "?");
	printf("refcnt: %ld\n", module_refcnt());
	print_params();

	ret = ipcchan_modinfo(-1, &mi);
	if (ret) {
		printf("device: %s unavailable: %s (%s)\n", IPCCHAN_DEVICE,
		       strerror(-ret), errname(ret));
		return EXIT_OK;
	}
	printf("device: %s\nabi_version: %u\npage_size: %u\nfeatures:",
	       IPCCHAN_DEVICE, mi.abi_version, mi.page_size);
	for (i = 0; i < sizeof(feats) / sizeof(feats[0]); i++)
		if (mi.features & (1ULL << i))
			printf(" %s", feats[i]);
	printf("\nlimits: max_msgs %u (default %u), max_msg_size %u (default %u),"
	       " max_channels %u, ring_pages_max %u, batch_max %u, prio_max %u,"
	       " user_bytes %llu, namespace_bytes %llu\n",
	       mi.max_msgs_limit, mi.default_max_msgs, mi.max_msg_size_limit,
	       mi.default_max_msg_size, mi.max_channels, mi.ring_pages_max,
	       mi.batch_max, mi.prio_max,
	       (unsigned long long)mi.user_bytes_limit,
	       (unsigned long long)mi.total_bytes_limit);
	printf("usage (this IPC namespace): channels %llu, messages %llu, queued_bytes %llu,"
	       " reserved_bytes %llu\n",
	       (unsigned long long)mi.channels, (unsigned long long)mi.messages,
	       (unsigned long long)mi.queued_bytes,
	       (unsigned long long)mi.reserved_bytes);
	return EXIT_OK;
}
