/* SPDX-License-Identifier: MIT */
/*
 * The frame of the lab's HTML reports: one self-contained file, with
 * its style sheet inline and its pictures as inline SVG, that refers to
 * nothing outside itself (no scripts, fonts, images or links), so that
 * it can be mailed or attached to a bug report as it is.
 */
#include <stdlib.h>
#include <time.h>

#include "lab.h"

static const char style[] =
"body{font-family:Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;"
"color:#222;line-height:1.4;padding:0 1em}\n"
"h1{font-size:1.6em;border-bottom:2px solid #ddd;padding-bottom:.3em}\n"
"h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #eee}\n"
"h3{font-size:1.05em;margin-bottom:.3em}\n"
"table{border-collapse:collapse;margin:.6em 0;font-size:.9em}\n"
"th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}\n"
"th{background:#f2f2f2}\n"
"td.l,th.l{text-align:left}\n"
"tr.fail td{background:#fde8e8}\n"
"pre{background:#f7f7f7;border:1px solid #e2e2e2;padding:.6em;overflow-x:auto;"
"font-size:.82em}\n"
".pass{color:#1a7f37;font-weight:bold}.fail{color:#c62828;font-weight:bold}\n"
".note{color:#666;font-size:.9em}\n"
".pic{overflow-x:auto;border:1px solid #eee;padding:.4em;margin:.4em 0}\n"
".pic svg{max-width:100%;height:auto}\n"
"code{background:#f2f2f2;padding:0 .2em}\n";

/** lab_html_escape() - see lab.h. */
void lab_html_escape(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

/** lab_html_begin() - see lab.h. */
void lab_html_begin(FILE *out, const char *title)
{
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		"<meta charset=\"utf-8\">\n<title>");
	lab_html_escape(out, title);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>",
		style);
	lab_html_escape(out, title);
	fprintf(out, "</h1>\n");
}

/** lab_html_end() - see lab.h. */
void lab_html_end(FILE *out)
{
	char date[64];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M UTC", &tm);
	fprintf(out, "<hr>\n<p class=\"note\">Written by anonvma (the Linux "
		"anonymous reverse map as a userspace model) on %s.</p>\n"
		"</body>\n</html>\n", date);
}

/** lab_html_svg_file() - see lab.h. */
int lab_html_svg_file(FILE *out, const char *path)
{
	char *svg = lab_read_whole(path, NULL), *in;

	if (!svg)
		return -1;
	in = lab_svg_inline(svg);
	free(svg);
	if (!in)
		return -1;
	fprintf(out, "<div class=\"pic\">\n%s</div>\n", in);
	free(in);
	return 0;
}
