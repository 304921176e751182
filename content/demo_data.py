"""Original Vietnamese sample text for the demo (written for this project; "Nội dung mẫu").

Plain data only: content/demo.py turns it into pages and quizzes.
"""

SAMPLE_NOTE = "<p><em>Nội dung mẫu, viết để minh hoạ cách trình bày bài học.</em></p>"

STANDARD_PAGES = [
    (
        "gioi-thieu",
        "Giới thiệu",
        "<p>Trang học tập này hỗ trợ Hội Liên hiệp Phụ nữ Việt Nam bồi dưỡng kiến thức về bình "
        "đẳng giới cho lãnh đạo, cán bộ chủ chốt cấp tỉnh, huyện, xã, trưởng thôn, bản và người "
        "có uy tín ở vùng đồng bào dân tộc thiểu số và miền núi, trong khuôn khổ Đề án 8 của "
        "Chương trình mục tiêu quốc gia giai đoạn 2021-2030.</p>"
        "<p>Học viên có thể học trực tuyến trên điện thoại, tham gia lớp học trực tiếp do giảng "
        "viên tổ chức, làm bài kiểm tra và nhận giấy chứng nhận khi hoàn thành khóa học.</p>",
    ),
    (
        "huong-dan",
        "Hướng dẫn",
        "<h3>Dành cho học viên</h3><ol><li>Đăng nhập bằng tài khoản do cán bộ Hội cấp.</li>"
        "<li>Chọn khóa học trong Danh mục khóa học và học lần lượt từng bài.</li>"
        "<li>Làm bài kiểm tra cuối khóa; đạt điểm yêu cầu thì nhận giấy chứng nhận.</li></ol>"
        "<h3>Dành cho giảng viên</h3><ol><li>Vào trang Quản trị, soạn bài học hoặc câu chuyện.</li>"
        "<li>Bấm «Gửi duyệt» để quản trị viên xem và phê duyệt.</li>"
        "<li>Sau khi được duyệt, bài học hiển thị cho học viên.</li></ol>",
    ),
    (
        "lien-he",
        "Liên hệ",
        "<p>Ban Tuyên giáo, Hội Liên hiệp Phụ nữ Việt Nam (địa chỉ và số điện thoại mẫu).</p>"
        "<p>Khi cần hỗ trợ tài khoản, học viên liên hệ cán bộ Hội phụ nữ cấp huyện nơi mình "
        "công tác.</p>",
    ),
]

SERIES_TITLE = "Các câu chuyện truyền thông thay đổi định kiến giới và khuôn mẫu giới"
SERIES_INTRO = (
    "<p>Bộ sách gồm bốn tập, kể lại những câu chuyện gần gũi ở thôn, bản về việc chia sẻ công "
    "việc gia đình, cùng làm kinh tế và cùng tham gia công việc cộng đồng. Mỗi câu chuyện có "
    "câu hỏi gợi ý để thảo luận trong buổi sinh hoạt chi hội hoặc họp thôn.</p>" + SAMPLE_NOTE
)

# (number, title, summary, [(slug, title, community, [paragraphs], [discussion questions])])
VOLUMES = [
    (
        1,
        "Chia sẻ việc nhà",
        "Những câu chuyện về người chồng, người con cùng gánh việc nhà với phụ nữ.",
        [
            (
                "bep-lua-nha-a-pao",
                "Bếp lửa nhà A Páo",
                "Bản Sáng Tùng, Đồng Văn (Hà Giang) – người Mông",
                [
                    "Mỗi sáng, chị Mỷ dậy từ bốn giờ nhóm bếp, nấu cám lợn rồi mới đi nương. "
                    "Anh A Páo vẫn nghĩ việc bếp núc là việc của đàn bà.",
                    "Sau buổi sinh hoạt của chi hội, anh thử dậy sớm nấu cám một tuần. Anh mới "
                    "biết vợ mình mệt thế nào. Từ đó, hai vợ chồng chia nhau: ai về trước thì "
                    "nấu cơm, người kia cho lợn ăn.",
                    "Hàng xóm lúc đầu trêu anh «sợ vợ». Anh cười: «Nhà mình thì mình cùng lo.»",
                ],
                [
                    "Trong gia đình anh chị, ai thường dậy sớm nhất và làm những việc gì?",
                    "Vì sao hàng xóm trêu anh A Páo? Đó có phải là định kiến giới không?",
                    "Gia đình mình có thể chia lại việc nhà thế nào cho công bằng hơn?",
                ],
            ),
            (
                "nguoi-cha-di-hop-phu-huynh",
                "Người cha đi họp phụ huynh",
                "Xã Mường Phăng, Điện Biên – người Thái",
                [
                    "Ở trường của bé Xuân, các buổi họp phụ huynh gần như chỉ có mẹ đi. Năm nay, "
                    "anh Lò Văn Thanh xin cô giáo cho mình đi họp thay vợ đang bận thu hoạch.",
                    "Anh ghi chép cẩn thận và về kể lại cho cả nhà. Cô giáo nói, từ khi bố quan "
                    "tâm, bé Xuân mạnh dạn hơn hẳn.",
                ],
                [
                    "Việc chăm lo học hành của con có phải chỉ là việc của người mẹ?",
                    "Khi bố cùng tham gia, con trẻ được lợi gì?",
                ],
            ),
            (
                "mam-com-chung",
                "Mâm cơm chung",
                "Bản Lác, Mai Châu (Hòa Bình) – người Thái",
                [
                    "Ngày trước, trong nhà bà Lò Thị Ban, đàn ông ngồi mâm trên, phụ nữ ăn sau ở "
                    "góc bếp. Con dâu mới về thấy buồn nhưng không dám nói.",
                    "Một lần có khách là cán bộ Hội đến chơi, cả nhà cùng ngồi một mâm. Từ hôm "
                    "ấy, ông Cầm Văn Sơn bảo: «Từ nay ăn chung một mâm cho ấm cửa ấm nhà.»",
                ],
                [
                    "Tập quán ăn riêng mâm nói gì về vị trí của phụ nữ trong gia đình?",
                    "Tập quán nào ở bản mình nên giữ, tập quán nào nên thay đổi?",
                    "Ai có thể là người mở lời để thay đổi?",
                ],
            ),
        ],
    ),
    (
        2,
        "Cùng làm kinh tế",
        "Phụ nữ và nam giới cùng bàn bạc, cùng quyết định việc làm ăn.",
        [
            (
                "so-do-dung-ten-hai-vo-chong",
                "Sổ đỏ đứng tên hai vợ chồng",
                "Xã Tà Xùa, Bắc Yên (Sơn La) – người Mông",
                [
                    "Khi làm lại giấy chứng nhận quyền sử dụng đất, cán bộ xã hỏi anh Thào A "
                    "Chư có muốn ghi tên cả vợ không. Anh ngạc nhiên vì xưa nay đất là của "
                    "đàn ông.",
                    "Nghe giải thích về quyền của vợ chồng đối với tài sản chung, anh đồng ý. "
                    "Chị Sùng Thị Dợ nói lần đầu tiên thấy mình là chủ mảnh nương mình vẫn "
                    "cuốc mỗi ngày.",
                ],
                [
                    "Vì sao việc ghi tên cả hai vợ chồng trên giấy tờ đất lại quan trọng?",
                    "Ở địa phương mình, tài sản lớn thường đứng tên ai?",
                ],
            ),
            (
                "to-vay-von-cua-chi-hoi",
                "Tổ vay vốn của chi hội",
                "Thôn Khuổi Tát, Chợ Đồn (Bắc Kạn) – người Tày",
                [
                    "Chị Hoàng Thị Nhung muốn vay vốn nuôi dê nhưng chồng bảo «đàn bà biết gì "
                    "mà làm ăn». Chị rủ năm chị em lập tổ tiết kiệm và vay vốn.",
                    "Sau hai năm, đàn dê nhà chị có hơn hai chục con. Anh chồng giờ là người "
                    "cắt cỏ giỏi nhất thôn và hay khoe vợ mình tính toán giỏi.",
                ],
                [
                    "Câu nói «đàn bà biết gì mà làm ăn» thể hiện khuôn mẫu giới nào?",
                    "Tổ vay vốn đã giúp chị Nhung thay đổi điều gì?",
                    "Chi hội mình có thể hỗ trợ chị em làm kinh tế như thế nào?",
                ],
            ),
            (
                "phien-cho-phu-nu-ban-hang",
                "Phiên chợ chị em tự bán hàng",
                "Xã Bắc Hà, Lào Cai – người Mông và người Dao",
                [
                    "Trước đây, vải thổ cẩm chị em dệt ra đều do chồng mang đi bán, tiền cũng "
                    "do chồng giữ. Chị Lý Thị Mai đề xuất lập gian hàng chung ở chợ phiên.",
                    "Chị em tự bán, tự ghi sổ, rồi cùng chồng bàn việc chi tiêu. Các ông chồng "
                    "thấy thu nhập tăng nên cũng vui vẻ trông con mỗi sáng chủ nhật.",
                ],
                [
                    "Ai quyết định việc chi tiêu trong gia đình anh chị?",
                    "Khi phụ nữ có thu nhập riêng, quan hệ trong gia đình thay đổi thế nào?",
                ],
            ),
        ],
    ),
    (
        3,
        "Tiếng nói trong cộng đồng",
        "Phụ nữ tham gia họp thôn, làm trưởng bản, làm hòa giải viên.",
        [
            (
                "nu-truong-ban-dau-tien",
                "Nữ trưởng bản đầu tiên",
                "Bản Nà Bó, Mường La (Sơn La) – người Thái",
                [
                    "Khi chị Quàng Thị Hoa được giới thiệu bầu trưởng bản, nhiều người lắc "
                    "đầu: «Đàn bà làm sao nói được cánh đàn ông.»",
                    "Chị đi từng nhà, lắng nghe từng ý kiến. Sau một năm, bản làm xong đường "
                    "bê tông, không còn vụ tranh chấp đất nào phải lên xã.",
                ],
                [
                    "Vì sao ban đầu nhiều người không tin chị Hoa?",
                    "Phẩm chất nào của người đứng đầu bản không phụ thuộc vào giới tính?",
                    "Bản mình có bao nhiêu phụ nữ trong ban quản lý thôn, bản?",
                ],
            ),
            (
                "buoi-hop-thon-luc-bay-gio-toi",
                "Buổi họp thôn lúc bảy giờ tối",
                "Thôn Phú Lâm, Ba Bể (Bắc Kạn) – người Tày",
                [
                    "Họp thôn thường tổ chức lúc chiều, khi chị em còn bận cơm nước, nên chỉ "
                    "có đàn ông đi họp. Chi hội đề nghị dời sang bảy giờ tối.",
                    "Buổi họp đầu tiên có hơn nửa số người dự là phụ nữ. Ý kiến về làm nhà văn "
                    "hóa và đường vào trường được bàn kỹ hơn bao giờ hết.",
                ],
                [
                    "Thời gian và địa điểm họp ảnh hưởng thế nào đến sự tham gia của phụ nữ?",
                    "Thôn mình có thể điều chỉnh gì để ai cũng tham gia được?",
                ],
            ),
            (
                "hoa-giai-vien-ban-khe",
                "Hòa giải viên bản Khe",
                "Xã Tân Sơn, Phú Thọ – người Mường",
                [
                    "Bà Đinh Thị Liên là hòa giải viên của bản. Có lần một người chồng say rượu "
                    "đánh vợ, nhiều người bảo «chuyện nhà người ta».",
                    "Bà cùng trưởng bản đến nhà, nói rõ bạo lực gia đình là vi phạm pháp luật, "
                    "rồi kiên trì gặp anh nhiều lần. Anh đã cai rượu và xin lỗi vợ trước họ hàng.",
                ],
                [
                    "Bạo lực gia đình có phải «chuyện riêng của nhà người ta» không?",
                    "Khi chứng kiến bạo lực gia đình, mình có thể làm gì?",
                    "Ai trong bản có thể hỗ trợ nạn nhân?",
                ],
            ),
        ],
    ),
    (
        4,
        "Con gái, con trai đều quý",
        "Những câu chuyện về cơ hội học hành, về tảo hôn và về giá trị của con gái.",
        [
            (
                "co-gai-di-hoc-trung-cap",
                "Cô gái đi học trung cấp",
                "Xã Nậm Ty, Sông Mã (Sơn La) – người Khơ Mú",
                [
                    "Học hết lớp chín, Lò Thị Sen được gia đình định gả chồng. Cô giáo chủ "
                    "nhiệm và chi hội phụ nữ đến nói chuyện với bố mẹ Sen nhiều lần.",
                    "Sen được đi học trung cấp y. Ba năm sau, cô về làm nhân viên y tế thôn bản, "
                    "là người đầu tiên trong bản đỡ đẻ an toàn tại trạm.",
                ],
                [
                    "Tảo hôn ảnh hưởng thế nào đến sức khỏe và tương lai của em gái?",
                    "Ai đã giúp Sen được tiếp tục đi học?",
                ],
            ),
            (
                "khong-can-sinh-con-trai",
                "Không cần sinh bằng được con trai",
                "Xã Hồng Thái, Na Hang (Tuyên Quang) – người Dao",
                [
                    "Vợ chồng anh Triệu Văn Quý có hai con gái. Họ hàng giục sinh thêm để có "
                    "con trai thờ cúng.",
                    "Anh Quý nói trong buổi họp họ: «Con gái tôi cũng học giỏi, cũng biết lo "
                    "cho bố mẹ.» Ông trưởng họ suy nghĩ rồi đồng ý để con gái được ghi tên "
                    "trong gia phả.",
                ],
                [
                    "Vì sao nhiều gia đình vẫn muốn có con trai bằng được?",
                    "Quan niệm ấy ảnh hưởng thế nào đến sức khỏe người mẹ?",
                    "Dòng họ có thể làm gì để con gái cũng được coi trọng?",
                ],
            ),
            (
                "bo-day-con-trai-nau-com",
                "Bố dạy con trai nấu cơm",
                "Thị trấn Mường Tè, Lai Châu – người Hà Nhì",
                [
                    "Bé Chu Xe thấy chị gái phải nấu cơm, giặt đồ, còn mình chỉ đi chơi. Bố "
                    "bé quyết định: từ nay hai chị em thay phiên nhau.",
                    "Lúc đầu Chu Xe làm cháy nồi cơm, nhưng giờ em nấu canh rau rất ngon. Chị "
                    "gái có thêm thời gian học bài, cuối năm được khen.",
                ],
                [
                    "Con trai, con gái trong nhà anh chị được giao việc như thế nào?",
                    "Trẻ học được gì khi cả con trai và con gái cùng làm việc nhà?",
                ],
            ),
        ],
    ),
]

# Course data: slug, title, competency, delivery, requires_post_test, hours, target groups,
# summary, modules [(slug, title, summary, [lessons])], quiz questions.
# A lesson: (slug, title, summary, [paragraphs], [key points], [discussion], story slug or "").
COURSES = [
    {
        "slug": "kien-thuc-co-ban-ve-binh-dang-gioi",
        "title": "Kiến thức cơ bản về bình đẳng giới",
        "competency": "basics",
        "delivery": "blended",
        "requires_post_test": False,
        "hours": 6,
        "outcomes": [
            "Phân biệt giới và giới tính, nhận ra định kiến giới và khuôn mẫu giới "
            "trong đời sống ở thôn, bản.",
            "Nêu được những quy định chính của Luật Bình đẳng giới.",
            "Trao đổi với người dân về bình đẳng giới bằng ví dụ gần gũi.",
        ],
        "target_groups": ["leaders", "commune_cadres", "village_heads", "wu_officers"],
        "summary": "Giới và giới tính, định kiến giới, khuôn mẫu giới và những quy định chính "
        "của pháp luật về bình đẳng giới, trình bày bằng ví dụ ở thôn, bản.",
        "modules": [
            (
                "gioi-va-gioi-tinh",
                "Giới và giới tính",
                "Phân biệt hai khái niệm nền tảng.",
                [
                    (
                        "binh-dang-gioi-la-gi",
                        "Bình đẳng giới là gì?",
                        "Hiểu đúng về bình đẳng giới: cùng vị trí, cùng cơ hội, cùng hưởng thụ.",
                        [
                            "Bình đẳng giới là việc nam và nữ có vị trí, vai trò ngang nhau, "
                            "được tạo điều kiện và cơ hội như nhau để phát huy năng lực, đóng "
                            "góp cho gia đình và cộng đồng, và cùng được hưởng thụ thành quả "
                            "của sự phát triển.",
                            "Bình đẳng không có nghĩa là giống hệt nhau. Phụ nữ mang thai, sinh "
                            "con cần được hỗ trợ riêng; hỗ trợ như vậy giúp hai bên có cơ hội "
                            "ngang nhau chứ không phải là ưu ái.",
                            "Ở thôn, bản, bình đẳng giới thể hiện qua những việc cụ thể: vợ "
                            "chồng cùng bàn việc lớn, con gái được đi học như con trai, phụ nữ "
                            "được tham gia họp và góp ý kiến.",
                        ],
                        [
                            "Nam và nữ có vị trí, vai trò ngang nhau.",
                            "Cơ hội như nhau, không phải giống hệt nhau.",
                            "Cùng hưởng thụ thành quả phát triển.",
                        ],
                        [
                            "Trong gia đình anh chị, việc lớn do ai quyết định?",
                            "Hãy kể một việc ở thôn, bản cho thấy nam và nữ chưa có cơ hội "
                            "ngang nhau.",
                        ],
                        "bep-lua-nha-a-pao",
                    ),
                    (
                        "gioi-tinh-va-gioi",
                        "Giới tính và giới: hai khái niệm khác nhau",
                        "Giới tính là sinh học; giới là do xã hội tạo nên và có thể thay đổi.",
                        [
                            "Giới tính chỉ đặc điểm sinh học của nam và nữ, có từ khi sinh ra "
                            "và gần như không thay đổi: chỉ phụ nữ mang thai và sinh con.",
                            "Giới chỉ đặc điểm, vị trí, vai trò của nam và nữ trong các mối "
                            "quan hệ xã hội. Những quan niệm như «đàn ông lo việc lớn, đàn bà lo "
                            "bếp núc» là do xã hội đặt ra, học được từ nhỏ và có thể thay đổi.",
                        ],
                        [
                            "Giới tính: sinh học, bẩm sinh.",
                            "Giới: xã hội tạo nên, học được, thay đổi được.",
                        ],
                        [
                            "Việc nấu cơm là đặc điểm giới tính hay giới? Vì sao?",
                        ],
                        "",
                    ),
                ],
            ),
            (
                "dinh-kien-va-khuon-mau-gioi",
                "Định kiến giới và khuôn mẫu giới",
                "Nhận diện và thay đổi những suy nghĩ thiên lệch.",
                [
                    (
                        "nhan-dien-dinh-kien-gioi",
                        "Nhận diện định kiến giới trong đời sống hằng ngày",
                        "Định kiến giới là gì và nó xuất hiện ở đâu quanh ta.",
                        [
                            "Định kiến giới là nhận thức, thái độ và đánh giá thiên lệch, tiêu "
                            "cực về đặc điểm, vị trí, vai trò và năng lực của nam hoặc nữ.",
                            "Câu nói «con gái học nhiều cũng chẳng để làm gì» hay «đàn ông "
                            "mà vào bếp thì hèn» là những định kiến giới quen thuộc. Chúng hạn "
                            "chế cơ hội của cả phụ nữ lẫn nam giới.",
                        ],
                        [
                            "Định kiến giới là đánh giá thiên lệch dựa trên giới.",
                            "Định kiến gây thiệt thòi cho cả nam và nữ.",
                        ],
                        [
                            "Hãy kể ba câu nói ở địa phương thể hiện định kiến giới.",
                            "Làm thế nào để góp ý khi nghe người khác nói như vậy?",
                        ],
                        "mam-com-chung",
                    ),
                    (
                        "khuon-mau-gioi-trong-gia-dinh",
                        "Khuôn mẫu giới trong gia đình và cộng đồng",
                        "Những khuôn mẫu về việc nhà, việc làng và cách thay đổi.",
                        [
                            "Khuôn mẫu giới là những khuôn định cứng nhắc về việc nam phải làm gì, "
                            "nữ phải làm gì. Khi chỉ phụ nữ làm việc nhà và chăm con, họ ít thời "
                            "gian học tập, làm kinh tế và tham gia công việc chung.",
                            "Thay đổi bắt đầu từ việc nhỏ: chồng cùng nấu cơm, con trai cùng "
                            "rửa bát, họp thôn vào giờ chị em đi được.",
                        ],
                        [
                            "Khuôn mẫu giới làm hạn chế lựa chọn của mỗi người.",
                            "Chia sẻ việc nhà giúp phụ nữ có thời gian phát triển.",
                        ],
                        [
                            "Trong một ngày, phụ nữ và nam giới ở thôn mình làm những việc gì?",
                        ],
                        "bo-day-con-trai-nau-com",
                    ),
                ],
            ),
            (
                "phap-luat-ve-binh-dang-gioi",
                "Pháp luật về bình đẳng giới",
                "Những quy định cán bộ cần nắm.",
                [
                    (
                        "luat-binh-dang-gioi",
                        "Luật Bình đẳng giới: những điểm chính",
                        "Các lĩnh vực của bình đẳng giới và trách nhiệm của cán bộ.",
                        [
                            "Luật Bình đẳng giới được Quốc hội thông qua năm 2006, quy định "
                            "bình đẳng giới trong các lĩnh vực chính trị, kinh tế, lao động, "
                            "giáo dục và đào tạo, khoa học và công nghệ, văn hóa, thông tin, "
                            "thể dục, thể thao, y tế và gia đình.",
                            "Cán bộ các cấp có trách nhiệm tuyên truyền, lồng ghép vấn đề bình "
                            "đẳng giới trong công việc và phát hiện, xử lý các hành vi vi phạm.",
                        ],
                        [
                            "Bình đẳng giới được bảo đảm trong mọi lĩnh vực đời sống.",
                            "Gia đình cũng là một lĩnh vực của bình đẳng giới.",
                        ],
                        [
                            "Ở cơ quan, đơn vị mình, lĩnh vực nào còn khoảng cách giới lớn nhất?",
                        ],
                        "",
                    ),
                ],
            ),
        ],
        "quiz": [
            (
                "single",
                "Nhận định nào đúng về bình đẳng giới?",
                "Bình đẳng giới là cơ hội và vị trí ngang nhau, không phải giống hệt nhau.",
                [
                    ("Nam và nữ phải làm mọi việc giống hệt nhau", False),
                    ("Nam và nữ có vị trí, vai trò và cơ hội ngang nhau", True),
                    ("Phụ nữ được ưu tiên trong mọi việc", False),
                ],
            ),
            (
                "true_false",
                "Giới tính là do xã hội tạo nên và có thể thay đổi.",
                "Đó là đặc điểm của giới; giới tính là đặc điểm sinh học.",
                [("Đúng", False), ("Sai", True)],
            ),
            (
                "multiple",
                "Những câu nào thể hiện định kiến giới?",
                "Cả hai câu đầu gán năng lực theo giới một cách thiên lệch.",
                [
                    ("«Con gái học nhiều cũng chẳng để làm gì»", True),
                    ("«Đàn ông vào bếp là hèn»", True),
                    ("«Vợ chồng cùng bàn bạc việc lớn»", False),
                ],
            ),
            (
                "single",
                "Việc nào là đặc điểm giới tính?",
                "Chỉ phụ nữ mang thai và sinh con: đó là đặc điểm sinh học.",
                [
                    ("Nấu cơm", False),
                    ("Mang thai và sinh con", True),
                    ("Đi họp thôn", False),
                ],
            ),
            (
                "true_false",
                "Gia đình là một lĩnh vực của bình đẳng giới theo pháp luật.",
                "Luật quy định bình đẳng giới trong gia đình.",
                [("Đúng", True), ("Sai", False)],
            ),
        ],
    },
    {
        "slug": "ky-nang-phan-tich-gioi",
        "title": "Kỹ năng phân tích giới",
        "competency": "analysis",
        "delivery": "blended",
        "requires_post_test": False,
        "hours": 8,
        "outcomes": [
            "Dùng công cụ phân tích giới đơn giản: ai làm gì, ai có gì, ai quyết định.",
            "Thu thập và đọc số liệu tách biệt theo giới tính.",
            "Chỉ ra khoảng cách giới trong một hoạt động của xã, thôn.",
        ],
        "target_groups": ["district_cadres", "commune_cadres", "wu_officers"],
        "summary": "Dùng các công cụ phân tích giới đơn giản để hiểu ai làm gì, ai có gì, ai "
        "quyết định ở thôn, bản; kết hợp học trực tuyến và buổi thực hành tại xã.",
        "modules": [
            (
                "cong-cu-phan-tich-gioi",
                "Công cụ phân tích giới",
                "Ba câu hỏi: ai làm gì, ai có gì, ai quyết định.",
                [
                    (
                        "phan-cong-lao-dong-theo-gioi",
                        "Phân công lao động theo giới",
                        "Lập lịch 24 giờ của nam và nữ để thấy gánh nặng công việc.",
                        [
                            "Công cụ lịch 24 giờ đề nghị nam và nữ ghi lại những việc mình làm "
                            "trong một ngày. Kết quả thường cho thấy phụ nữ làm nhiều giờ hơn, "
                            "nhất là việc không được trả công như nấu ăn, lấy nước, chăm con.",
                            "Khi thảo luận kết quả với cả hai nhóm, cán bộ nên tránh phán xét, "
                            "gợi ý những thay đổi nhỏ mà gia đình làm được ngay.",
                        ],
                        [
                            "Lịch 24 giờ giúp thấy lao động không được trả công.",
                            "Thảo luận với cả nam và nữ, không phán xét.",
                        ],
                        [
                            "Hãy tự lập lịch 24 giờ của mình và của người bạn đời.",
                        ],
                        "",
                    ),
                    (
                        "tiep-can-va-kiem-soat-nguon-luc",
                        "Tiếp cận và kiểm soát nguồn lực",
                        "Ai được dùng và ai được quyết định đất, vốn, thông tin.",
                        [
                            "Tiếp cận là được sử dụng một nguồn lực; kiểm soát là có quyền quyết "
                            "định về nó. Phụ nữ có thể cuốc nương hằng ngày nhưng không có tên "
                            "trên giấy tờ đất, không được quyết định bán hay cho thuê.",
                            "Bảng phân tích tiếp cận và kiểm soát liệt kê từng nguồn lực: đất, "
                            "vốn vay, vật nuôi, tập huấn, thông tin, rồi ghi ai tiếp cận, ai "
                            "kiểm soát.",
                        ],
                        [
                            "Tiếp cận khác với kiểm soát.",
                            "Giấy tờ đứng tên hai vợ chồng bảo vệ quyền của phụ nữ.",
                        ],
                        [
                            "Trong thôn mình, ai đi tập huấn khuyến nông nhiều hơn?",
                        ],
                        "so-do-dung-ten-hai-vo-chong",
                    ),
                ],
            ),
            (
                "so-lieu-tach-biet-theo-gioi",
                "Số liệu tách biệt theo giới",
                "Thu thập và đọc số liệu theo nam, nữ.",
                [
                    (
                        "so-lieu-tach-biet-theo-gioi-la-gi",
                        "Số liệu tách biệt theo giới là gì?",
                        "Vì sao mọi con số nên tách nam, nữ.",
                        [
                            "Số liệu tách biệt theo giới là số liệu được thu thập và trình bày "
                            "riêng cho nam và nữ. Nếu chỉ biết «xã có 120 người đi tập huấn», ta "
                            "không biết bao nhiêu phụ nữ được tham gia.",
                            "Khi lập danh sách, báo cáo, cán bộ nên thêm cột giới tính và cột "
                            "dân tộc để phân tích được ai đang bị bỏ lại phía sau.",
                        ],
                        [
                            "Luôn có cột giới tính trong danh sách và báo cáo.",
                            "Số liệu tách biệt giúp thấy khoảng cách giới.",
                        ],
                        [
                            "Báo cáo nào của xã mình chưa tách số liệu theo giới?",
                        ],
                        "",
                    ),
                    (
                        "thuc-hanh-phan-tich-mot-thon-ban",
                        "Thực hành: phân tích giới ở một thôn, bản",
                        "Bài tập nhóm cho buổi học trực tiếp.",
                        [
                            "Chia lớp thành nhóm nam và nhóm nữ. Mỗi nhóm vẽ bản đồ thôn, đánh dấu "
                            "nơi mình thường đến trong tuần và những nơi mình thấy không an toàn.",
                            "So sánh hai bản đồ, thảo luận vì sao khác nhau và đề xuất một việc "
                            "thôn có thể làm ngay, ví dụ lắp đèn đường ở đoạn dốc ra suối.",
                        ],
                        [
                            "Nhóm nam và nhóm nữ làm riêng rồi so sánh.",
                            "Kết thúc bằng một đề xuất cụ thể.",
                        ],
                        [
                            "Bản đồ của nhóm nữ khác bản đồ của nhóm nam ở điểm nào?",
                        ],
                        "buoi-hop-thon-luc-bay-gio-toi",
                    ),
                ],
            ),
        ],
        "quiz": [
            (
                "single",
                "Công cụ lịch 24 giờ giúp thấy rõ điều gì?",
                "Lịch 24 giờ cho thấy khối lượng công việc, kể cả việc không được trả công.",
                [
                    ("Thu nhập của mỗi người", False),
                    ("Khối lượng công việc của nam và nữ trong ngày", True),
                    ("Số con trong gia đình", False),
                ],
            ),
            (
                "true_false",
                "Tiếp cận một nguồn lực cũng có nghĩa là được quyết định về nguồn lực đó.",
                "Tiếp cận là được sử dụng; kiểm soát mới là quyền quyết định.",
                [("Đúng", False), ("Sai", True)],
            ),
            (
                "multiple",
                "Những cột nào nên có trong danh sách học viên để phân tích giới?",
                "Giới tính và dân tộc giúp thấy nhóm nào còn thiệt thòi.",
                [("Giới tính", True), ("Dân tộc", True), ("Màu áo", False)],
            ),
            (
                "single",
                "Trong bài thực hành bản đồ thôn, vì sao chia nhóm nam và nhóm nữ?",
                "Làm riêng giúp thấy khác biệt về nhu cầu và sự an toàn.",
                [
                    ("Để thi đua", False),
                    ("Để thấy sự khác nhau trong cách đi lại và cảm nhận an toàn", True),
                    ("Vì phòng học nhỏ", False),
                ],
            ),
            (
                "true_false",
                "Số liệu tách biệt theo giới là số liệu trình bày riêng cho nam và nữ.",
                "Đúng như định nghĩa.",
                [("Đúng", True), ("Sai", False)],
            ),
        ],
    },
    {
        "slug": "long-ghep-gioi",
        "title": "Lồng ghép giới trong chính sách, chương trình, kế hoạch phát triển "
        "kinh tế - xã hội",
        "competency": "mainstreaming",
        "delivery": "blended",
        "requires_post_test": False,
        "hours": 10,
        "outcomes": [
            "Lồng ghép vấn đề bình đẳng giới khi xây dựng văn bản, chương trình, kế hoạch.",
            "Đánh giá tác động giới của một chính sách hay dự án.",
            "Đề xuất biện pháp thu hẹp khoảng cách giới trong kế hoạch của địa phương.",
        ],
        "target_groups": ["leaders", "province_cadres", "district_cadres", "commune_cadres"],
        "summary": "Các bước lồng ghép vấn đề bình đẳng giới khi xây dựng văn bản, chương trình "
        "và kế hoạch phát triển kinh tế - xã hội, nhất là ở cấp xã.",
        "modules": [
            (
                "khai-niem-long-ghep-gioi",
                "Khái niệm và nguyên tắc",
                "Lồng ghép giới là gì và vì sao cần.",
                [
                    (
                        "long-ghep-gioi-la-gi",
                        "Lồng ghép vấn đề bình đẳng giới là gì?",
                        "Đưa mục tiêu bình đẳng giới vào ngay từ khâu xác định vấn đề.",
                        [
                            "Lồng ghép vấn đề bình đẳng giới là xác định vấn đề giới, dự báo tác "
                            "động của một chính sách đối với nam và nữ, và đưa ra biện pháp để "
                            "bảo đảm bình đẳng ngay trong quá trình xây dựng và thực hiện.",
                            "Một kế hoạch «trung tính» về giới thường vô tình bỏ sót phụ nữ, ví "
                            "dụ tổ chức tập huấn vào mùa thu hoạch hay chỉ mời chủ hộ.",
                        ],
                        [
                            "Lồng ghép từ đầu, không phải thêm vào cuối.",
                            "Kế hoạch «trung tính» có thể gây thiệt thòi.",
                        ],
                        [
                            "Hãy nêu một kế hoạch của xã mà phụ nữ khó tham gia.",
                        ],
                        "",
                    ),
                    (
                        "cac-buoc-long-ghep-gioi",
                        "Các bước lồng ghép giới trong xây dựng văn bản",
                        "Năm bước từ phân tích đến giám sát.",
                        [
                            "Bước một: thu thập thông tin, số liệu tách biệt theo giới. Bước "
                            "hai: xác định vấn đề giới và nguyên nhân. Bước ba: đề xuất mục tiêu "
                            "và biện pháp. Bước bốn: bố trí nguồn lực. Bước năm: theo dõi, đánh "
                            "giá bằng chỉ số có tách biệt theo giới.",
                        ],
                        [
                            "Có số liệu trước, có biện pháp sau.",
                            "Mỗi biện pháp cần nguồn lực và chỉ số theo dõi.",
                        ],
                        [
                            "Bước nào thường bị bỏ qua nhất ở địa phương? Vì sao?",
                        ],
                        "",
                    ),
                ],
            ),
            (
                "long-ghep-gioi-trong-ke-hoach-cap-xa",
                "Lồng ghép giới trong kế hoạch cấp xã",
                "Từ nhu cầu của thôn, bản đến kế hoạch của xã.",
                [
                    (
                        "ke-hoach-phat-trien-cap-xa",
                        "Lồng ghép giới trong kế hoạch phát triển kinh tế - xã hội cấp xã",
                        "Lấy ý kiến cả nam và nữ khi lập kế hoạch.",
                        [
                            "Khi lấy ý kiến ở thôn, cần họp riêng nhóm phụ nữ hoặc tổ chức vào "
                            "giờ chị em đi được, để những nhu cầu như nước sạch, nhà trẻ, đường "
                            "đến trường được nêu ra.",
                            "Mỗi mục tiêu của kế hoạch nên ghi rõ tỷ lệ phụ nữ được hưởng lợi, "
                            "ví dụ ít nhất 40% học viên lớp khuyến nông là nữ.",
                        ],
                        [
                            "Nghe ý kiến riêng của phụ nữ.",
                            "Ghi chỉ tiêu có tách biệt theo giới.",
                        ],
                        [
                            "Kế hoạch năm nay của xã có chỉ tiêu nào tách theo giới?",
                        ],
                        "to-vay-von-cua-chi-hoi",
                    ),
                    (
                        "ngan-sach-co-trach-nhiem-gioi",
                        "Ngân sách có trách nhiệm giới",
                        "Xem tiền được chi cho ai.",
                        [
                            "Ngân sách có trách nhiệm giới không phải là ngân sách riêng cho phụ "
                            "nữ, mà là xem xét mỗi khoản chi mang lại lợi ích cho nam và nữ như "
                            "thế nào, rồi điều chỉnh để công bằng hơn.",
                        ],
                        [
                            "Xem xét mọi khoản chi, không chỉ khoản chi cho phụ nữ.",
                        ],
                        [
                            "Khoản chi nào của xã mang lại lợi ích nhiều hơn cho nam giới?",
                        ],
                        "",
                    ),
                ],
            ),
        ],
        "quiz": [
            (
                "single",
                "Lồng ghép giới nên bắt đầu từ khi nào?",
                "Ngay từ khâu xác định vấn đề và thu thập số liệu.",
                [
                    ("Sau khi kế hoạch đã được duyệt", False),
                    ("Ngay từ khâu xác định vấn đề", True),
                    ("Khi có đoàn kiểm tra", False),
                ],
            ),
            (
                "true_false",
                "Một kế hoạch không nhắc đến nam hay nữ thì chắc chắn công bằng với cả hai.",
                "Kế hoạch «trung tính» có thể vô tình bỏ sót phụ nữ.",
                [("Đúng", False), ("Sai", True)],
            ),
            (
                "multiple",
                "Việc nào giúp phụ nữ góp ý vào kế hoạch của xã?",
                "Họp vào giờ phù hợp và họp nhóm riêng giúp phụ nữ lên tiếng.",
                [
                    ("Họp vào giờ chị em đi được", True),
                    ("Tổ chức nhóm thảo luận riêng của phụ nữ", True),
                    ("Chỉ mời chủ hộ đi họp", False),
                ],
            ),
            (
                "single",
                "Ngân sách có trách nhiệm giới là gì?",
                "Đó là cách xem xét mọi khoản chi theo lợi ích cho nam và nữ.",
                [
                    ("Một khoản ngân sách riêng cho phụ nữ", False),
                    ("Xem xét mỗi khoản chi mang lại lợi ích cho nam và nữ ra sao", True),
                    ("Cắt giảm chi tiêu", False),
                ],
            ),
            (
                "true_false",
                "Mỗi biện pháp trong kế hoạch nên có chỉ số theo dõi tách biệt theo giới.",
                "Có chỉ số mới theo dõi được kết quả.",
                [("Đúng", True), ("Sai", False)],
            ),
        ],
    },
    {
        "slug": "giam-sat-danh-gia-binh-dang-gioi",
        "title": "Giám sát, đánh giá thực hiện bình đẳng giới",
        "competency": "monitoring",
        "delivery": "in_person",
        "requires_post_test": True,
        "hours": 12,
        "outcomes": [
            "Xây dựng chỉ số giám sát bình đẳng giới.",
            "Lập kế hoạch giám sát, đánh giá và thu thập số liệu.",
            "Viết báo cáo kết quả thực hiện bình đẳng giới.",
        ],
        "target_groups": ["district_cadres", "commune_cadres", "wu_officers"],
        "summary": "Xây dựng chỉ số, lập kế hoạch giám sát và viết báo cáo kết quả thực hiện "
        "bình đẳng giới; học trực tiếp tại lớp và làm bài kiểm tra sau khóa học.",
        "modules": [
            (
                "chi-tieu-va-chi-so",
                "Chỉ tiêu và chỉ số",
                "Đo cái gì và đo thế nào.",
                [
                    (
                        "he-thong-chi-tieu-ve-gioi",
                        "Hệ thống chỉ tiêu thống kê về giới",
                        "Những chỉ tiêu địa phương cần theo dõi.",
                        [
                            "Chỉ tiêu thống kê về giới giúp theo dõi khoảng cách giữa nam và nữ "
                            "trong các lĩnh vực: tỷ lệ nữ trong cấp ủy, tỷ lệ trẻ em gái đi học "
                            "đúng tuổi, tỷ lệ giấy tờ đất đứng tên hai vợ chồng, số vụ bạo lực "
                            "gia đình được phát hiện và hỗ trợ.",
                        ],
                        [
                            "Mỗi chỉ tiêu có định nghĩa và nguồn số liệu rõ ràng.",
                        ],
                        [
                            "Chỉ tiêu nào ở xã mình đang thiếu số liệu?",
                        ],
                        "",
                    ),
                    (
                        "xay-dung-chi-so-cap-huyen-xa",
                        "Xây dựng chỉ số theo dõi cấp huyện, xã",
                        "Chỉ số tốt thì cụ thể, đo được, có thời hạn.",
                        [
                            "Một chỉ số tốt cần cụ thể, đo được, có mốc ban đầu và thời hạn. Ví "
                            "dụ: «đến cuối năm, 100% trưởng thôn được tập huấn về bình đẳng giới, "
                            "trong đó ít nhất 30% là nữ».",
                            "Chỉ số cần gắn với nguồn số liệu sẵn có, tránh đặt ra chỉ số mà "
                            "không ai thu thập được.",
                        ],
                        [
                            "Cụ thể, đo được, có mốc và thời hạn.",
                            "Gắn với nguồn số liệu có thật.",
                        ],
                        [
                            "Hãy viết lại một chỉ tiêu mơ hồ trong báo cáo của xã thành chỉ số "
                            "đo được.",
                        ],
                        "",
                    ),
                ],
            ),
            (
                "to-chuc-giam-sat",
                "Tổ chức giám sát",
                "Từ kế hoạch đến báo cáo.",
                [
                    (
                        "lap-ke-hoach-giam-sat",
                        "Lập kế hoạch giám sát",
                        "Ai giám sát, giám sát gì, khi nào.",
                        [
                            "Kế hoạch giám sát ghi rõ nội dung, đối tượng, thời gian, thành phần "
                            "đoàn và cách thu thập thông tin: xem hồ sơ, phỏng vấn, thảo luận "
                            "nhóm với người dân, trong đó có nhóm phụ nữ.",
                        ],
                        [
                            "Luôn có thảo luận nhóm với phụ nữ.",
                        ],
                        [
                            "Đoàn giám sát của xã mình có bao nhiêu thành viên nữ?",
                        ],
                        "hoa-giai-vien-ban-khe",
                    ),
                    (
                        "bao-cao-ket-qua-giam-sat",
                        "Báo cáo kết quả giám sát và kiến nghị",
                        "Viết báo cáo ngắn gọn, có số liệu và kiến nghị cụ thể.",
                        [
                            "Báo cáo giám sát nên ngắn gọn: kết quả theo từng chỉ số, những việc "
                            "làm tốt, những hạn chế và nguyên nhân, kiến nghị cụ thể cho từng cơ "
                            "quan, có thời hạn thực hiện.",
                        ],
                        [
                            "Kết quả theo chỉ số, có số liệu tách biệt theo giới.",
                            "Kiến nghị cụ thể, có địa chỉ và thời hạn.",
                        ],
                        [
                            "Kiến nghị nào trong báo cáo năm trước đã được thực hiện?",
                        ],
                        "",
                    ),
                ],
            ),
        ],
        "quiz": [
            (
                "single",
                "Chỉ số nào sau đây đo được?",
                "Chỉ số có con số, mốc và thời hạn thì đo được.",
                [
                    ("Nâng cao nhận thức về giới", False),
                    ("100% trưởng thôn được tập huấn trong năm, ít nhất 30% là nữ", True),
                    ("Tăng cường công tác tuyên truyền", False),
                ],
            ),
            (
                "multiple",
                "Cách thu thập thông tin nào nên có trong đợt giám sát?",
                "Kết hợp hồ sơ, phỏng vấn và thảo luận nhóm với phụ nữ.",
                [
                    ("Xem hồ sơ, sổ sách", True),
                    ("Thảo luận nhóm với phụ nữ", True),
                    ("Chỉ nghe báo cáo của lãnh đạo xã", False),
                ],
            ),
            (
                "true_false",
                "Báo cáo giám sát càng dài thì càng có giá trị.",
                "Báo cáo tốt là báo cáo ngắn gọn, có số liệu và kiến nghị cụ thể.",
                [("Đúng", False), ("Sai", True)],
            ),
            (
                "single",
                "Kiến nghị trong báo cáo giám sát cần có gì?",
                "Kiến nghị cần có địa chỉ (cơ quan) và thời hạn thực hiện.",
                [
                    ("Cơ quan thực hiện và thời hạn", True),
                    ("Chữ ký của tất cả người dân", False),
                    ("Hình ảnh minh họa", False),
                ],
            ),
            (
                "true_false",
                "Tỷ lệ giấy tờ đất đứng tên hai vợ chồng là một chỉ tiêu về giới.",
                "Chỉ tiêu này phản ánh quyền của phụ nữ đối với tài sản.",
                [("Đúng", True), ("Sai", False)],
            ),
            (
                "multiple",
                "Một chỉ số tốt cần những đặc điểm nào?",
                "Cụ thể, đo được, có mốc ban đầu và thời hạn.",
                [("Cụ thể", True), ("Đo được", True), ("Càng chung chung càng tốt", False)],
            ),
        ],
    },
]
