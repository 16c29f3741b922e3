"""Error messages of the registry, Vietnamese first."""

from thidua_shared.i18n import add_messages

add_messages(
    {
        "field_not_editable": (
            "Vai trò «{role}» không được sửa: {fields}.",
            "The role '{role}' may not change: {fields}.",
        ),
        "unit_code_taken": ("Mã đơn vị «{code}» đã tồn tại.", "Unit code '{code}' already exists."),
        "unit_code_invalid": (
            "Mã «{code}» không hợp lệ: chỉ dùng chữ, số, dấu chấm, gạch ngang, gạch dưới (tối đa 64 ký tự).",
            "Code '{code}' is not valid: letters, digits, '.', '-' and '_' only (at most 64).",
        ),
        "parent_not_found": ("Không tìm thấy đơn vị cấp trên «{ref}».", "Parent unit '{ref}' not found."),
        "parent_required": ("Đơn vị loại «{kind}» phải có đơn vị cấp trên.", "A unit of kind '{kind}' needs a parent."),
        "national_alliance_has_no_parent": (
            "Liên minh HTX Việt Nam là cấp cao nhất, không có đơn vị cấp trên.",
            "The national alliance is the top of the tree and has no parent.",
        ),
        "hierarchy_cycle": (
            "Không thể đặt «{parent}» làm cấp trên của «{code}»: sẽ tạo vòng lặp trong cây đơn vị.",
            "Cannot make '{parent}' the parent of '{code}': it would create a cycle.",
        ),
        "merge_into_self": ("Không thể hợp nhất đơn vị vào chính nó.", "A unit cannot be merged into itself."),
        "merge_into_descendant": (
            "Không thể hợp nhất «{code}» vào đơn vị cấp dưới của nó «{successor}».",
            "Cannot merge '{code}' into its own descendant '{successor}'.",
        ),
        "unit_has_active_children": (
            "Đơn vị «{code}» còn {count} đơn vị cấp dưới đang hoạt động; hãy chuyển hoặc giải thể trước.",
            "Unit '{code}' still has {count} active child units; move or dissolve them first.",
        ),
        "cluster_code_taken": ("Mã cụm/khối «{code}» đã tồn tại.", "Cluster code '{code}' already exists."),
        "year_out_of_range": ("Năm {year} không hợp lệ.", "Year {year} is not valid."),
        "member_not_active": (
            "Đơn vị «{code}» không còn hoạt động nên không thể là thành viên cụm.",
            "Unit '{code}' is not active and cannot be a cluster member.",
        ),
        "duplicate_member": ("Đơn vị «{code}» được liệt kê hai lần.", "Unit '{code}' is listed twice."),
        "leader_not_member": (
            "«{code}» không phải thành viên của cụm trong năm {year}.",
            "'{code}' is not a member of the cluster in {year}.",
        ),
        "deputy_is_leader": ("Cụm phó phải khác cụm trưởng.", "The deputy must differ from the leader."),
        "leader_already_elected": (
            "Cụm «{cluster}» đã có cụm trưởng năm {year} («{leader}»).",
            "Cluster '{cluster}' already has a leader for {year} ('{leader}').",
        ),
        "national_id_invalid": (
            "Số CMND/CCCD phải gồm 9 hoặc 12 chữ số.",
            "The national ID number must have 9 or 12 digits.",
        ),
        "person_already_registered": (
            "Người có số CMND/CCCD này đã được đăng ký.",
            "A person with this national ID number is already registered.",
        ),
        "token_not_found": ("Không tìm thấy mã truy cập «{ref}».", "Access token '{ref}' not found."),
        "token_scope_required": (
            "Vai trò «{role}» cần phạm vi là một đơn vị.",
            "The role '{role}' needs a unit as its scope.",
        ),
        "token_role_not_grantable": (
            "Bạn không thể cấp mã truy cập với vai trò «{role}».",
            "You may not issue a token with the role '{role}'.",
        ),
        "import_unknown_kind": ("Loại đơn vị «{value}» không hợp lệ.", "Unknown unit kind '{value}'."),
        "import_person_twice": (
            "Người này đã có ở dòng {first} của tệp (cùng số CMND/CCCD).", "This person is already on row {first} of the file (same ID number).",
        ),
        "import_duplicate_in_file": (
            "Mã «{code}» xuất hiện lần nữa trong tệp (dòng {first}).",
            "Code '{code}' appears again in the file (row {first}).",
        ),
        "node_key_invalid": (
            "Khóa công khai không hợp lệ: cần khóa Ed25519 dạng PEM (tệp <nút>.ed25519.pub.pem).",
            "Not a valid public key: an Ed25519 key in PEM is needed (the file <node>.ed25519.pub.pem).",
        ),
    }
)
