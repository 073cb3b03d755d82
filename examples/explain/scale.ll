; scale.ll: IR with debug locations, for `kiln explain` (docs/explain.md).
; The IR a C compiler could write for this function:
;   double scale(double x, int n) {
;     double y = x * 2.0;
;     for (int i = 0; i < n; ++i)
;       y = y + x;
;     return y;
;   }
; Its !DILocation nodes name lines 3-8 of this very file (the comment
; above), so on the page clicking line 6 lights up the fadd of `y = y + x`
; in the IR and the assembly. A real compiler's locations name its source
; file; the page then says so.
define double @scale(double %x, i32 %n) !dbg !5 {
entry:
  %y0 = fmul double %x, 2.000000e+00, !dbg !9
  br label %cond, !dbg !10

cond:
  %i = phi i32 [ 0, %entry ], [ %i.next, %body ], !dbg !10
  %y = phi double [ %y0, %entry ], [ %y.next, %body ], !dbg !10
  %more = icmp slt i32 %i, %n, !dbg !10
  br i1 %more, label %body, label %done, !dbg !10

body:
  %y.next = fadd double %y, %x, !dbg !11
  %i.next = add nsw i32 %i, 1, !dbg !10
  br label %cond, !dbg !10

done:
  ret double %y, !dbg !12
}

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!2, !3}

!0 = distinct !DICompileUnit(language: DW_LANG_C11, file: !1, producer: "hand-written", isOptimized: false, runtimeVersion: 0, emissionKind: LineTablesOnly)
!1 = !DIFile(filename: "scale.ll", directory: ".")
!2 = !{i32 7, !"Dwarf Version", i32 5}
!3 = !{i32 2, !"Debug Info Version", i32 3}
!5 = distinct !DISubprogram(name: "scale", scope: !1, file: !1, line: 3, type: !6, scopeLine: 3, spFlags: DISPFlagDefinition, unit: !0)
!6 = !DISubroutineType(types: !7)
!7 = !{}
!9 = !DILocation(line: 4, column: 16, scope: !5)
!10 = !DILocation(line: 5, column: 5, scope: !5)
!11 = !DILocation(line: 6, column: 13, scope: !5)
!12 = !DILocation(line: 7, column: 5, scope: !5)
