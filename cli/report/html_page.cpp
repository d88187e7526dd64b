#include "html_page.hpp"

#include "svg_plot.hpp"

namespace opusim::cli::report {

std::string html_page(const std::string& title, const std::vector<std::string>& intro,
                      const std::vector<Figure>& figures) {
    std::string page =
        "<!DOCTYPE html>\n<html lang='en'>\n<head>\n<meta charset='utf-8'>\n<title>" +
        xml_escape(title) +
        "</title>\n<style>\nbody{font-family:sans-serif;max-width:1000px;margin:2em auto;"
        "color:#222}\npre{background:#f4f4f4;padding:.6em;overflow-x:auto;font-size:12px}\n"
        "figure{margin:1.5em 0}\nsvg{display:block;margin:.5em 0}\ndetails{margin:.4em 0}\n"
        "</style>\n</head>\n<body>\n<h1>" +
        xml_escape(title) + "</h1>\n";
    for (const auto& line : intro) page += "<p>" + xml_escape(line) + "</p>\n";
    page += "<ul>\n";
    for (const auto& figure : figures) {
        page += "<li><a href='#" + figure.id + "'>" + xml_escape(figure.title) + "</a></li>\n";
    }
    page += "</ul>\n";
    for (const auto& figure : figures) {
        page += "<section id='" + figure.id + "'>\n<h2>" + xml_escape(figure.title) +
                "</h2>\n<figure>\n";
        for (const auto& svg : figure.svgs) page += svg;
        page += "<figcaption>" + xml_escape(figure.caption) + "</figcaption>\n</figure>\n";
        page += "<p>Reproduce its numbers (each command's --json output):</p>\n<pre>";
        for (const auto& command : figure.commands) page += xml_escape(command) + "\n";
        page +=
            "</pre>\n<details><summary>the numbers drawn (JSON)</summary>\n"
            "<pre class='numbers' id='" +
            figure.id + "-numbers'>" + xml_escape(figure.numbers.dump(1)) +
            "</pre>\n</details>\n</section>\n";
    }
    return page + "</body>\n</html>\n";
}

}  // namespace opusim::cli::report
